package intake

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// column is one field a file may carry, with the header names that mean it.
type column struct {
	field    string
	required bool
	aliases  []string // compared through foldKey
}

var debtorColumns = []column{
	{FieldExternalID, true, []string{"external_id", "id", "codigo", "id_externo", "codigo_cliente", "cod", "cod_cliente", "id_cliente", "codigo_do_cliente", "cliente_id", "codigo_devedor", "id_devedor"}},
	{FieldName, true, []string{"name", "nome", "razao_social", "nome_completo", "nome_razao_social", "nome_cliente", "cliente", "devedor", "nome_devedor"}},
	{FieldDocument, true, []string{"document", "documento", "cpf", "cnpj", "cpf_cnpj", "cnpj_cpf", "cpf/cnpj", "cnpj/cpf", "doc", "documento_cpf_cnpj"}},
	{FieldPhone, true, []string{"phone", "telefone", "celular", "whatsapp", "fone", "phones", "telefones", "celulares", "fones", "tel", "mobile", "numero_whatsapp"}},
	{FieldEmail, false, []string{"email", "e-mail", "emails", "correio_eletronico"}},
	{FieldPreferredChannel, false, []string{"preferred_channel", "channel", "canal", "canal_preferido", "canal_preferencial", "canal_de_contato"}},
	{FieldState, false, []string{"state", "uf", "estado", "sigla_uf"}},
}

var chargeColumns = []column{
	{FieldExternalID, true, []string{"external_id", "id", "codigo", "numero", "documento_cobranca", "id_externo", "numero_documento", "num_documento", "id_cobranca", "codigo_cobranca", "numero_cobranca", "cobranca", "titulo", "numero_titulo", "fatura", "numero_fatura", "nosso_numero"}},
	{FieldDebtorExternalID, true, []string{"debtor_external_id", "devedor", "id_devedor", "cliente", "codigo_cliente", "debtor_id", "debtor", "codigo_devedor", "id_cliente", "cod_cliente", "cliente_id"}},
	{FieldDescription, false, []string{"description", "descricao", "historico", "referente", "referencia", "observacao"}},
	{FieldAmount, true, []string{"amount", "valor", "valor_original", "valor_principal", "valor_devido", "valor_cobranca", "valor_titulo", "total"}},
	{FieldDueDate, true, []string{"due_date", "vencimento", "data_vencimento", "data_de_vencimento", "dt_vencimento", "venc", "due"}},
}

// foldKey reduces a header name (or a channel word) to lower-case ASCII
// letters and digits: "Razão Social", "razao_social" and "RAZAO-SOCIAL" all
// become "razaosocial". Accents are dropped whether precomposed ("ã") or
// combining ("a" + U+0303, as macOS writes them).
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r < utf8.RuneSelf:
			// spaces, underscores, hyphens, slashes, dots: all equivalent
		default:
			if f, ok := unaccent[r]; ok {
				b.WriteByte(f)
			}
		}
	}
	return b.String()
}

var unaccent = map[rune]byte{
	'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'ª': 'a',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
	'ó': 'o', 'ò': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'º': 'o',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u',
	'ç': 'c', 'ñ': 'n',
}

// header is a file's header row matched against a kind's columns.
type header struct {
	names    []string // as written in the file, trimmed
	fieldCol []int    // for each of the kind's columns, its index in the record, or -1
	colField []int    // for each record index, the kind's column, or -1 (nameless)
}

// matchHeader maps a header row to columns. Problems are file-level: a
// required column missing, an unknown column, two columns meaning the same.
func matchHeader(cols []column, rec []string) (*header, error) {
	h := &header{
		names:    make([]string, len(rec)),
		fieldCol: make([]int, len(cols)),
		colField: make([]int, len(rec)),
	}
	for i := range h.fieldCol {
		h.fieldCol[i] = -1
	}
	index := make(map[string]int) // folded alias → column
	for ci, c := range cols {
		for _, a := range c.aliases {
			index[foldKey(a)] = ci
		}
	}
	var unknown, dups []string
	unknownCount := 0
	for i, raw := range rec {
		name := trim(raw)
		h.names[i] = name
		h.colField[i] = -1
		key := foldKey(name)
		if key == "" {
			continue // a nameless column, as a trailing separator makes; its cells must stay empty
		}
		found, ok := index[key]
		if !ok {
			found = -1
		}
		if found < 0 {
			if unknownCount++; unknownCount <= 10 {
				unknown = append(unknown, fmt.Sprintf("%q", shorten(name)))
			}
			continue
		}
		if prev := h.fieldCol[found]; prev >= 0 {
			if len(dups) < 10 {
				dups = append(dups, fmt.Sprintf("%q and %q both mean %s", shorten(h.names[prev]), shorten(name), cols[found].field))
			}
			continue
		}
		h.fieldCol[found] = i
		h.colField[i] = found
	}
	if len(dups) > 0 {
		return nil, &FileError{Line: 0, Message: "duplicate columns in the header: " + strings.Join(dups, "; ")}
	}
	var missing []string
	for ci, c := range cols {
		if c.required && h.fieldCol[ci] < 0 {
			missing = append(missing, fmt.Sprintf("%s (or %s)", c.field, strings.Join(c.aliases[1:min(len(c.aliases), 5)], ", ")))
		}
	}
	if len(missing) == 0 && len(unknown) == 0 {
		return h, nil
	}
	var msg []string
	if len(missing) == 1 {
		msg = append(msg, "the header lacks the required column "+missing[0])
	} else if len(missing) > 1 {
		msg = append(msg, "the header lacks the required columns "+strings.Join(missing, ", "))
	}
	if unknownCount > len(unknown) {
		unknown = append(unknown, fmt.Sprintf("and %d more", unknownCount-len(unknown)))
	}
	if len(unknown) > 0 {
		msg = append(msg, "unknown columns "+strings.Join(unknown, ", "))
	}
	if len(missing) > 0 {
		msg = append(msg, "found "+quoteList(h.names))
	}
	return nil, &FileError{Message: strings.Join(msg, "; ")}
}

func quoteList(names []string) string {
	var parts []string
	for _, n := range names {
		if len(parts) == 20 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%q", shorten(n)))
	}
	return strings.Join(parts, ", ")
}
