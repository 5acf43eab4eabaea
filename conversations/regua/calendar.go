package regua

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the states' zones, wherever the binary runs
)

// Date is a civil date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// In is midnight of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is d moved by n days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Sub is the number of days from e to d.
func (d Date) Sub(e Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(e.Year, e.Month, e.Day, 0, 0, 0, 0, time.UTC)
	return int(a.Sub(b).Hours() / 24)
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Easter is Easter Sunday of year (the Gregorian computus, Meeus/Jones/Butcher).
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

type fixed struct {
	month time.Month
	day   int
	name  string
}

// National holidays with a fixed date. 20 November (Dia Nacional de Zumbi e
// da Consciência Negra) is national since Lei 14.759/2023.
var nationalFixed = []fixed{
	{1, 1, "Confraternização Universal"},
	{4, 21, "Tiradentes"},
	{5, 1, "Dia do Trabalho"},
	{9, 7, "Independência do Brasil"},
	{10, 12, "Nossa Senhora Aparecida"},
	{11, 2, "Finados"},
	{11, 15, "Proclamação da República"},
	{11, 20, "Dia Nacional de Zumbi e da Consciência Negra"},
	{12, 25, "Natal"},
}

// Moving days, relative to Easter Sunday. Carnival and Corpus Christi are
// optional days off in law but collection contact on them is treated as on
// a holiday: banks and most businesses close, and the law's intent is rest.
var nationalMoving = []struct {
	offset int
	name   string
}{
	{-48, "Carnaval (segunda-feira)"},
	{-47, "Carnaval (terça-feira)"},
	{-2, "Sexta-feira Santa"},
	{60, "Corpus Christi"},
}

// The states' own holidays.
var stateFixed = map[string][]fixed{
	"SP": {{7, 9, "Revolução Constitucionalista (SP)"}},
	"RJ": {{4, 23, "Dia de São Jorge (RJ)"}, {11, 20, "Dia de Zumbi dos Palmares (RJ)"}},
	"AM": {{9, 5, "Elevação do Amazonas à categoria de província (AM)"}, {11, 20, "Dia da Consciência Negra (AM)"}},
	"AL": {{6, 24, "São João (AL)"}, {6, 29, "São Pedro (AL)"}, {9, 16, "Emancipação política de Alagoas (AL)"}, {11, 20, "Dia da Consciência Negra (AL)"}},
}

// The states' moving holidays, relative to Easter Sunday.
var stateMoving = map[string][]struct {
	offset int
	name   string
}{
	"ES": {{8, "Nossa Senhora da Penha (ES)"}},
}

// Holiday names the national or state holiday on d ("" when d is none).
// state is a UF code ("" for national holidays only). National names win
// where both apply.
func Holiday(d Date, state string) string {
	for _, h := range nationalFixed {
		if h.month == d.Month && h.day == d.Day {
			return h.name
		}
	}
	e := Easter(d.Year)
	off := d.Sub(e)
	for _, h := range nationalMoving {
		if h.offset == off {
			return h.name
		}
	}
	for _, h := range stateFixed[state] {
		if h.month == d.Month && h.day == d.Day {
			return h.name
		}
	}
	for _, h := range stateMoving[state] {
		if h.offset == off {
			return h.name
		}
	}
	return ""
}

// States are the 27 federative units and their time zones (the zone of the
// capital; a state split between zones takes the capital's).
var States = map[string]string{
	"AC": "America/Rio_Branco", "AL": "America/Maceio", "AP": "America/Belem", "AM": "America/Manaus",
	"BA": "America/Bahia", "CE": "America/Fortaleza", "DF": "America/Sao_Paulo", "ES": "America/Sao_Paulo",
	"GO": "America/Sao_Paulo", "MA": "America/Fortaleza", "MT": "America/Cuiaba", "MS": "America/Campo_Grande",
	"MG": "America/Sao_Paulo", "PA": "America/Belem", "PB": "America/Fortaleza", "PR": "America/Sao_Paulo",
	"PE": "America/Recife", "PI": "America/Fortaleza", "RJ": "America/Sao_Paulo", "RN": "America/Fortaleza",
	"RS": "America/Sao_Paulo", "RO": "America/Porto_Velho", "RR": "America/Boa_Vista", "SC": "America/Sao_Paulo",
	"SP": "America/Sao_Paulo", "SE": "America/Maceio", "TO": "America/Araguaina",
}

var zones = func() map[string]*time.Location {
	m := map[string]*time.Location{}
	for uf, name := range States {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(err) // time/tzdata is embedded
		}
		m[uf] = loc
	}
	return m
}()

// Zone is the state's time zone, or def for "" or an unknown code.
func Zone(state string, def *time.Location) *time.Location {
	if z := zones[state]; z != nil {
		return z
	}
	return def
}

// dddState maps Brazilian area codes (DDD) to their state.
var dddState = func() map[string]string {
	m := map[string]string{}
	add := func(uf string, ddds ...int) {
		for _, d := range ddds {
			m[fmt.Sprint(d)] = uf
		}
	}
	add("SP", 11, 12, 13, 14, 15, 16, 17, 18, 19)
	add("RJ", 21, 22, 24)
	add("ES", 27, 28)
	add("MG", 31, 32, 33, 34, 35, 37, 38)
	add("PR", 41, 42, 43, 44, 45, 46)
	add("SC", 47, 48, 49)
	add("RS", 51, 53, 54, 55)
	add("DF", 61)
	add("GO", 62, 64)
	add("TO", 63)
	add("MT", 65, 66)
	add("MS", 67)
	add("AC", 68)
	add("RO", 69)
	add("BA", 71, 73, 74, 75, 77)
	add("SE", 79)
	add("PE", 81, 87)
	add("AL", 82)
	add("PB", 83)
	add("RN", 84)
	add("CE", 85, 88)
	add("PI", 86, 89)
	add("PA", 91, 93, 94)
	add("AM", 92, 97)
	add("RR", 95)
	add("AP", 96)
	add("MA", 98, 99)
	return m
}()

// StateOf places a debtor: the state recorded for them (a UF code), else
// the area code of their phone (E.164, +55DD…), else "" (national rules
// only, in the business's zone).
func StateOf(state, phone string) string {
	if s := strings.ToUpper(strings.TrimSpace(state)); States[s] != "" {
		return s
	}
	if strings.HasPrefix(phone, "+55") && len(phone) >= 5 {
		return dddState[phone[3:5]]
	}
	return ""
}
