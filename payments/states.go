package payments

import "slices"

// States are the 27 federative units (UF codes), for a debtor's state.
var States = []string{"AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB",
	"PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO"}

// ValidState says whether uf is one of States.
func ValidState(uf string) bool { return slices.Contains(States, uf) }
