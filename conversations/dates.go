package conversations

import (
	"strings"
	"time"
)

// maxPromiseDays is how far ahead a promise may be. A "pago dia 10/12/2030"
// is not a promise a collections team can hold reminders for.
const maxPromiseDays = 366

// ParsePromiseDate finds the day a debtor promises to pay in a message
// already passed through Normalize. today is the civil date in the
// business's time zone (only its year, month and day are used); the result
// is a civil date at midnight UTC, never before today nor more than 366 days
// after it. It understands, first match wins:
//
//   - "hoje", "amanha", "depois de amanha";
//   - weekday names, with or without "feira", "que vem" or a leading
//     "proxima" ("sexta", "segunda-feira", "2a feira", "proxima quarta"):
//     the next such day, never today (so "sabado que vem" is simply the
//     coming Saturday); a weekday word followed by "via", "parcela", "opcao"
//     or "vez" is an ordinal, not a day ("segunda via");
//   - "dia 10" / "dia dez": this month, clamped to its last day ("dia 31" in
//     April is the 30th), or next month (clamped) once that day has passed;
//     "dia 10 do mes que vem" is next month's;
//   - "10/12", "15 de dezembro", "15 dez": this year, or next year once that
//     day has passed; "10/12/2026", "10/12/26", "15 de dezembro de 2026":
//     that day;
//   - "fim do mes", "final do mes": the last day of this month (of next
//     month when today is the last day);
//   - "inicio do mes" / "comeco do mes que vem": the 1st of next month;
//   - "fim de semana": the coming Saturday (today on a Saturday or Sunday);
//   - "semana que vem", "proxima semana", "mes que vem", "proximo mes" name
//     no day: they are read (so that their words are not taken for
//     anything else) and skipped, and the engine asks which day;
//   - "daqui a 5 dias", "em 2 semanas", "daqui um mes", "dentro de 3 dias".
//
// Impossible dates (31/02, 29/02/2027), dates in the past and dates further
// than 366 days are skipped, and so is a date next to a negation ("hoje
// nao", "nao consigo pagar dia 10"); scanning goes on with the rest of the
// message.
func ParsePromiseDate(normalized string, today time.Time) (time.Time, bool) {
	var arr [maxTokens]string
	toks := arr[:0]
	for _, f := range strings.Fields(normalized) {
		if len(toks) == cap(toks) {
			break
		}
		toks = append(toks, f)
	}
	return findDate(toks, civil(today))
}

var weekdays = map[string]time.Weekday{
	"domingo": time.Sunday, "segunda": time.Monday, "terca": time.Tuesday, "quarta": time.Wednesday,
	"quinta": time.Thursday, "sexta": time.Friday, "sabado": time.Saturday,
	// "2a feira" … "6a feira"
	"2a": time.Monday, "3a": time.Tuesday, "4a": time.Wednesday, "5a": time.Thursday, "6a": time.Friday,
}

var months = map[string]time.Month{
	"janeiro": 1, "jan": 1, "fevereiro": 2, "fev": 2, "marco": 3, "mar": 3, "abril": 4, "abr": 4,
	"maio": 5, "mai": 5, "junho": 6, "jun": 6, "julho": 7, "jul": 7, "agosto": 8, "ago": 8,
	"setembro": 9, "set": 9, "outubro": 10, "out": 10, "novembro": 11, "nov": 11, "dezembro": 12,
	"dez": 12,
}

// findDate returns the first usable date in toks; today is civil.
func findDate(toks []string, today time.Time) (time.Time, bool) {
	d, _, _, ok := findDateSpan(toks, today)
	return d, ok
}

// findDateSpan is findDate that also returns where the date's words are.
func findDateSpan(toks []string, today time.Time) (d time.Time, start, end int, ok bool) {
	prevEnd := -1
	for i := 0; i < len(toks); i++ {
		d, end := dateAt(toks, i, today)
		if end == i {
			continue
		}
		if !d.IsZero() && !dateNegated(toks, i, end, prevEnd) && !d.Before(today) &&
			d.Sub(today) <= maxPromiseDays*24*time.Hour {
			return d, i, end, true
		}
		prevEnd = end
		i = end - 1
	}
	return time.Time{}, 0, 0, false
}

// dateWords are the words of date expressions; a negated date ("hoje não")
// leaves them behind.
var dateWords = map[string]struct{}{
	"hoje": {}, "amanha": {}, "depois": {}, "dia": {}, "dias": {}, "semana": {}, "semanas": {}, "mes": {},
	"meses": {}, "proxima": {}, "proximo": {}, "vem": {}, "fim": {}, "final": {}, "inicio": {}, "comeco": {},
	"daqui": {}, "em": {}, "dentro": {}, "feira": {}, "segunda": {}, "terca": {}, "quarta": {}, "quinta": {},
	"sexta": {}, "sabado": {}, "domingo": {},
}

// dateNegated reports a negation in the three words before a date (same
// clause) or right after it. A negation right after the previous date
// (at prevEnd) is that date's: "hoje não amanhã" is tomorrow.
func dateNegated(toks []string, start, end, prevEnd int) bool {
	if end < len(toks) && isNegator(toks[end]) {
		return true
	}
	for j := start - 1; j >= 0 && j >= start-3; j-- {
		t := toks[j]
		if t == breakToken || t == "mas" || t == "porem" || t == "so" {
			return false
		}
		if isNegator(t) && j != prevEnd {
			return true
		}
	}
	return false
}

func tokAt(toks []string, i int) string {
	if i >= 0 && i < len(toks) {
		return toks[i]
	}
	return ""
}

// seq reports whether toks from i spell words.
func seq(toks []string, i int, words ...string) bool {
	if i+len(words) > len(toks) {
		return false
	}
	for k, w := range words {
		if toks[i+k] != w {
			return false
		}
	}
	return true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// clamped is day d of month m (normalised across years), or its last day.
func clamped(y int, m time.Month, d int) time.Time {
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	y, m = first.Year(), first.Month()
	return time.Date(y, m, min(d, daysIn(y, m)), 0, 0, 0, 0, time.UTC)
}

func addMonths(today time.Time, k int) time.Time {
	return clamped(today.Year(), today.Month()+time.Month(k), today.Day())
}

// endOfMonth is the last day of today's month, or of next month when today
// is that last day ("fim do mês" said on the 30th of November means the
// 31st of December: today is not the end the debtor asks for).
func endOfMonth(today time.Time) time.Time {
	last := clamped(today.Year(), today.Month(), 31)
	if last.Equal(today) {
		return clamped(today.Year(), today.Month()+1, 31)
	}
	return last
}

// nextWeekday is the next wd strictly after today.
func nextWeekday(today time.Time, wd time.Weekday) time.Time {
	delta := (int(wd) - int(today.Weekday()) + 7) % 7
	if delta == 0 {
		delta = 7
	}
	return today.AddDate(0, 0, delta)
}

// dayOfMonth is "dia N": this month if not past, else next month, clamped.
func dayOfMonth(today time.Time, d int) time.Time {
	if d < 1 || d > 31 {
		return time.Time{}
	}
	c := clamped(today.Year(), today.Month(), d)
	if c.Before(today) {
		c = clamped(today.Year(), today.Month()+1, d)
	}
	return c
}

// dayMonth is "d/m" or "d de mes", with an optional year (0: this year, or
// next once past). Impossible dates are zero.
func dayMonth(today time.Time, d int, m time.Month, y int) time.Time {
	if d < 1 || d > 31 || m < 1 || m > 12 {
		return time.Time{}
	}
	if y != 0 {
		if y < 100 {
			y += 2000
		}
		if d > daysIn(y, m) {
			return time.Time{}
		}
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	y = today.Year()
	if d <= daysIn(y, m) {
		if c := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); !c.Before(today) {
			return c
		}
	}
	if d <= daysIn(y+1, m) {
		return time.Date(y+1, m, d, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// ordinalNouns follow an ordinal that looks like a weekday ("segunda via").
func ordinalNoun(t string) bool {
	switch t {
	case "via", "vias", "parcela", "parcelas", "opcao", "vez", "prestacao", "chamada", "mensagem",
		"cobranca", "tentativa", "alternativa":
		return true
	}
	return false
}

// nextMonthWords matches "mes que vem", "proximo mes", "mes seguinte" at i
// and returns the index after them.
func nextMonthWords(toks []string, i int) (int, bool) {
	switch {
	case seq(toks, i, "mes", "que", "vem"):
		return i + 3, true
	case seq(toks, i, "proximo", "mes"), seq(toks, i, "mes", "seguinte"), seq(toks, i, "outro", "mes"):
		return i + 2, true
	}
	return i, false
}

// dateAt reads a date expression starting at toks[i]. It returns the index
// after the expression (i when there is none) and the date, zero when the
// expression names an impossible day.
func dateAt(toks []string, i int, today time.Time) (time.Time, int) {
	t := toks[i]
	switch t {
	case "hoje":
		return today, i + 1
	case "amanha":
		return today.AddDate(0, 0, 1), i + 1
	case "depois":
		if seq(toks, i+1, "de", "amanha") {
			return today.AddDate(0, 0, 2), i + 3
		}
		if seq(toks, i+1, "de", "manha") && tokAt(toks, i+3) != "cedo" {
			return today.AddDate(0, 0, 2), i + 3 // "depois de manhã", amanhã split
		}
		return time.Time{}, i
	case "proxima", "proximo", "nessa", "nesta", "essa", "esta":
		if wd, ok := weekdays[tokAt(toks, i+1)]; ok && len(toks[i+1]) > 2 {
			end := weekdayEnd(toks, i+2)
			return nextWeekday(today, wd), end
		}
		if (t == "proxima" || t == "proximo") && tokAt(toks, i+1) == "semana" {
			return time.Time{}, i + 2 // a week, not a day: the engine asks which
		}
		if end, ok := nextMonthWords(toks, i); ok {
			return time.Time{}, end // a month, not a day
		}
		return time.Time{}, i
	case "semana":
		if seq(toks, i+1, "que", "vem") {
			return time.Time{}, i + 3
		}
		if tokAt(toks, i+1) == "seguinte" {
			return time.Time{}, i + 2
		}
		return time.Time{}, i
	case "mes", "outro":
		if end, ok := nextMonthWords(toks, i); ok {
			return time.Time{}, end
		}
		return time.Time{}, i
	case "fim", "final":
		switch {
		case seq(toks, i+1, "do", "mes", "que", "vem"), seq(toks, i+1, "do", "proximo", "mes"):
			// "fim do mês que vem"
			return clamped(today.Year(), today.Month()+1, 31), i + 3 + b2i(toks[i+2] == "mes")*2 + b2i(toks[i+2] == "proximo")
		case seq(toks, i+1, "do", "mes"), seq(toks, i+1, "de", "mes"), seq(toks, i+1, "deste", "mes"),
			seq(toks, i+1, "desse", "mes"):
			return endOfMonth(today), i + 3
		case seq(toks, i+1, "de", "semana"), seq(toks, i+1, "da", "semana"):
			if wd := today.Weekday(); wd == time.Saturday || wd == time.Sunday {
				return today, i + 3
			}
			return nextWeekday(today, time.Saturday), i + 3
		}
		return time.Time{}, i
	case "ultimo":
		if seq(toks, i+1, "dia", "do", "mes") {
			return endOfMonth(today), i + 4
		}
		return time.Time{}, i
	case "inicio", "comeco":
		if seq(toks, i+1, "do") || seq(toks, i+1, "de") {
			if end, ok := nextMonthWords(toks, i+2); ok {
				return clamped(today.Year(), today.Month()+1, 1), end
			}
			if tokAt(toks, i+2) == "mes" {
				if today.Day() == 1 {
					return today, i + 3
				}
				return clamped(today.Year(), today.Month()+1, 1), i + 3
			}
		}
		return time.Time{}, i
	case "daqui", "em", "dentro":
		j := i + 1
		if t == "daqui" && tokAt(toks, j) == "a" {
			j++
		}
		if t == "dentro" {
			if tokAt(toks, j) != "de" {
				return time.Time{}, i
			}
			j++
		}
		if j >= len(toks) {
			return time.Time{}, i
		}
		n, next, ok := parseNumber(toks, j)
		if !ok || n < 1 {
			return time.Time{}, i
		}
		switch tokAt(toks, next) {
		case "dia", "dias":
			if n > maxPromiseDays {
				return time.Time{}, next + 1
			}
			return today.AddDate(0, 0, n), next + 1
		case "semana", "semanas":
			if n > 53 {
				return time.Time{}, next + 1
			}
			return today.AddDate(0, 0, 7*n), next + 1
		case "mes", "meses":
			if n > 12 {
				return time.Time{}, next + 1
			}
			return addMonths(today, n), next + 1
		}
		return time.Time{}, i
	case "dia":
		return dayAt(toks, i+1, today, true)
	}
	if wd, ok := weekdays[t]; ok {
		if len(t) == 2 && tokAt(toks, i+1) != "feira" {
			return time.Time{}, i // "2a" alone is not a day
		}
		if ordinalNoun(tokAt(toks, i+1)) {
			return time.Time{}, i
		}
		d, end := nextWeekday(today, wd), weekdayEnd(toks, i+1)
		if nextWeek(toks, end) {
			// "quinta da semana que vem": a day of next week, never
			// one of this week.
			if d.Before(nextWeekday(today, time.Monday)) {
				d = d.AddDate(0, 0, 7)
			}
			return d, nextWeekEnd(toks, end)
		}
		if d.Sub(today) == 24*time.Hour && end >= 2 && toks[end-1] == "vem" {
			// "quinta que vem" said on a Wednesday: tomorrow would be
			// "amanhã"; it is the next week's.
			d = d.AddDate(0, 0, 7)
		}
		return d, end
	}
	if d, end := dayAt(toks, i, today, false); end > i {
		return d, end
	}
	return time.Time{}, i
}

// weekdayEnd skips "feira" and "que vem" after a weekday.
func weekdayEnd(toks []string, i int) int {
	if tokAt(toks, i) == "feira" {
		i++
	}
	if seq(toks, i, "que", "vem") {
		i += 2
	}
	return i
}

// dayAt reads, at toks[i], "10/12[/2026]" or a day number followed by a
// month ("15 de dezembro [de 2026]", "15 dez"). After "dia" (afterDia) a
// bare day number is enough ("dia 10", "dia 10 do mes que vem").
func dayAt(toks []string, i int, today time.Time, afterDia bool) (time.Time, int) {
	if i >= len(toks) {
		return time.Time{}, i - b2i(afterDia)
	}
	t := toks[i]
	if strings.IndexByte(t, '/') > 0 {
		d, ok := slashDate(t, today)
		if !ok {
			if afterDia {
				return time.Time{}, i - 1
			}
			return time.Time{}, i
		}
		return d, i + 1
	}
	var day, next int
	switch {
	case t == "primeiro":
		day, next = 1, i+1
	case len(t) >= 2 && len(t) <= 3 && t[len(t)-1] == 'o' && isDigits(t[:len(t)-1]): // "1o" from "1º"
		day, next = atoi(t[:len(t)-1]), i+1
	default:
		n, nx, ok := parseNumber(toks, i)
		if !ok {
			return time.Time{}, i - b2i(afterDia)
		}
		day, next = n, nx
	}
	// A month after the day?
	j := next
	if tokAt(toks, j) == "do" && isDigits(tokAt(toks, j+1)) && len(tokAt(toks, j+1)) <= 2 {
		// "30 do 11": the month by its number
		if m := atoi(toks[j+1]); m >= 1 && m <= 12 {
			// Without "dia" before it, only a near day: "pagou 4 do 10"
			// counts installments, not a day eleven months away.
			if d := dayMonth(today, day, time.Month(m), 0); afterDia || !d.IsZero() && d.Sub(today) <= 90*24*time.Hour {
				return d, j + 2
			}
		}
	}
	if tokAt(toks, j) == "de" {
		j++
	}
	if m, ok := months[tokAt(toks, j)]; ok {
		end := j + 1
		year := 0
		k := end
		if tokAt(toks, k) == "de" {
			k++
		}
		if y := tokAt(toks, k); (len(y) == 4 || len(y) == 2 && k == end) && isDigits(y) {
			year, end = atoi(y), k+1
		}
		return dayMonth(today, day, m, year), end
	}
	if !afterDia {
		return time.Time{}, i
	}
	if tokAt(toks, next) == "do" || tokAt(toks, next) == "de" {
		if end, ok := nextMonthWords(toks, next+1); ok {
			if day < 1 || day > 31 {
				return time.Time{}, end
			}
			return clamped(today.Year(), today.Month()+1, day), end
		}
	}
	return dayOfMonth(today, day), next
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// slashDate reads "d/m" or "d/m/y".
func slashDate(t string, today time.Time) (time.Time, bool) {
	var parts [3]string
	n := 0
	for n < 3 {
		k := strings.IndexByte(t, '/')
		if k < 0 {
			parts[n] = t
			n++
			t = ""
			break
		}
		parts[n] = t[:k]
		n++
		t = t[k+1:]
	}
	if t != "" || n < 2 {
		return time.Time{}, false
	}
	for k := 0; k < n; k++ {
		if !isDigits(parts[k]) || len(parts[k]) > 4 {
			return time.Time{}, false
		}
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 {
		return time.Time{}, false
	}
	year := 0
	if n == 3 {
		if l := len(parts[2]); l != 2 && l != 4 {
			return time.Time{}, false
		}
		year = atoi(parts[2])
	}
	return dayMonth(today, atoi(parts[0]), time.Month(atoi(parts[1])), year), true
}

// nextWeek reports "da semana que vem", "da próxima semana" or "semana que
// vem" at toks[i], after a weekday.
func nextWeek(toks []string, i int) bool {
	if t := tokAt(toks, i); t == "da" || t == "na" {
		i++
	}
	return seq(toks, i, "semana", "que", "vem") || seq(toks, i, "proxima", "semana") || seq(toks, i, "semana", "seguinte")
}

// nextWeekEnd is the index after the words nextWeek matched at i.
func nextWeekEnd(toks []string, i int) int {
	if t := tokAt(toks, i); t == "da" || t == "na" {
		i++
	}
	if seq(toks, i, "semana", "que", "vem") {
		return i + 3
	}
	return i + 2
}
