package conversations

import (
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParsePromiseDate(t *testing.T) {
	t.Parallel()
	wed := day(2026, 11, 18)      // a Wednesday
	jan31 := day(2026, 1, 31)     // a Saturday, before a 28-day February
	leapJan31 := day(2028, 1, 31) // a Monday, before a 29-day February
	leapFeb28 := day(2028, 2, 28) // a Monday
	yearEnd := day(2026, 12, 30)  // a Wednesday
	apr10 := day(2026, 4, 10)
	apr30 := day(2026, 4, 30)
	sun := day(2026, 11, 22)
	sat := day(2026, 11, 21)
	mar2027 := day(2027, 3, 1)
	mar2026 := day(2026, 3, 1)

	tests := []struct {
		today time.Time
		text  string
		want  time.Time // zero: no date
	}{
		// relative days
		{wed, "hoje", wed},
		{wed, "amanha", day(2026, 11, 19)},
		{wed, "depois de amanha", day(2026, 11, 20)},
		{leapFeb28, "amanha", day(2028, 2, 29)},
		{leapFeb28, "depois de amanha", day(2028, 3, 1)},
		{yearEnd, "depois de amanha", day(2027, 1, 1)},

		// weekdays: the next one, never today
		{wed, "quarta", day(2026, 11, 25)},
		{wed, "quinta", day(2026, 11, 19)},
		{wed, "sexta feira", day(2026, 11, 20)},
		{wed, "sabado", day(2026, 11, 21)},
		{wed, "domingo", day(2026, 11, 22)},
		{wed, "segunda", day(2026, 11, 23)},
		{wed, "terca", day(2026, 11, 24)},
		{wed, "na proxima sexta", day(2026, 11, 20)},
		{wed, "sexta que vem", day(2026, 11, 20)},
		{wed, "2a feira", day(2026, 11, 23)},
		{yearEnd, "sexta", day(2027, 1, 1)},
		{wed, "segunda via", time.Time{}},
		{wed, "a quinta parcela", time.Time{}},
		{wed, "2a via", time.Time{}},

		// weeks
		{wed, "semana que vem", time.Time{}}, // a week, not a day: the engine asks
		{wed, "proxima semana", time.Time{}},
		{day(2026, 11, 23), "semana que vem", time.Time{}},
		{yearEnd, "semana que vem", time.Time{}},
		{wed, "fim de semana", sat},
		{sat, "fim de semana", sat},
		{sun, "fim de semana", sun},

		// "dia N": this month unless past, clamped to the month's end
		{wed, "dia 18", wed},
		{wed, "dia 25", day(2026, 11, 25)},
		{wed, "dia 10", day(2026, 12, 10)},
		{wed, "dia dez", day(2026, 12, 10)},
		{wed, "dia vinte e cinco", day(2026, 11, 25)},
		{wed, "dia primeiro", day(2026, 12, 1)},
		{wed, "dia 31", day(2026, 11, 30)},
		{apr10, "dia 31", day(2026, 4, 30)},
		{apr30, "dia 31", apr30},
		{apr30, "dia 29", day(2026, 5, 29)},
		{jan31, "dia 30", day(2026, 2, 28)},
		{leapJan31, "dia 30", day(2028, 2, 29)},
		{yearEnd, "dia 5", day(2027, 1, 5)},
		{wed, "dia 10 do mes que vem", day(2026, 12, 10)},
		{wed, "dia 5 do proximo mes", day(2026, 12, 5)},
		{jan31, "dia 31 do mes que vem", day(2026, 2, 28)},
		{wed, "dia 0", time.Time{}},
		{wed, "dia 32", time.Time{}},

		// day and month
		{wed, "15/12", day(2026, 12, 15)},
		{wed, "dia 15/12", day(2026, 12, 15)},
		{wed, "18/11", wed},
		{wed, "10/11", day(2027, 11, 10)},
		{yearEnd, "10/01", day(2027, 1, 10)},
		{yearEnd, "30/12", yearEnd},
		{yearEnd, "29/12", day(2027, 12, 29)},
		{wed, "15 de dezembro", day(2026, 12, 15)},
		{wed, "15 dez", day(2026, 12, 15)},
		{wed, "primeiro de dezembro", day(2026, 12, 1)},
		{wed, "1o de dezembro", day(2026, 12, 1)},
		{wed, "dia 5 de janeiro", day(2027, 1, 5)},
		{wed, "31/02", time.Time{}},
		{wed, "30/02", time.Time{}},
		{wed, "32/12", time.Time{}},
		{wed, "10/13", time.Time{}},
		{wed, "0/12", time.Time{}},
		{wed, "31 de abril", time.Time{}},
		{mar2026, "29/02", time.Time{}},        // neither 2026 nor 2027 has one
		{mar2027, "29/02", day(2028, 2, 29)},   // the next one is within a year
		{leapJan31, "29/02", day(2028, 2, 29)}, // this year's
		{leapJan31, "29 de fevereiro", day(2028, 2, 29)},

		// full dates
		{wed, "10/12/2026", day(2026, 12, 10)},
		{wed, "10/12/26", day(2026, 12, 10)},
		{wed, "05/01/2027", day(2027, 1, 5)},
		{wed, "15 de dezembro de 2026", day(2026, 12, 15)},
		{wed, "10/10/2026", time.Time{}}, // past
		{yearEnd, "25/12/2026", time.Time{}},
		{wed, "10/12/2030", time.Time{}}, // too far
		{wed, "29/02/2027", time.Time{}},
		{leapJan31, "29/02/2028", day(2028, 2, 29)},

		// months
		{wed, "fim do mes", day(2026, 11, 30)},
		{wed, "final do mes", day(2026, 11, 30)},
		{wed, "ultimo dia do mes", day(2026, 11, 30)},
		{apr30, "fim do mes", day(2026, 5, 31)}, // said on the last day: next month's
		{leapFeb28, "fim do mes", day(2028, 2, 29)},
		{yearEnd, "fim do mes", day(2026, 12, 31)},
		{wed, "mes que vem", time.Time{}}, // a month, not a day
		{wed, "proximo mes", time.Time{}},

		{wed, "inicio do mes que vem", day(2026, 12, 1)},
		{wed, "comeco do mes", day(2026, 12, 1)},
		{day(2026, 12, 1), "inicio do mes", day(2026, 12, 1)},

		// counted
		{wed, "daqui a 5 dias", day(2026, 11, 23)},
		{wed, "daqui 5 dias", day(2026, 11, 23)},
		{wed, "em 2 semanas", day(2026, 12, 2)},
		{wed, "daqui uma semana", day(2026, 11, 25)},
		{wed, "dentro de tres dias", day(2026, 11, 21)},
		{wed, "daqui a um mes", day(2026, 12, 18)},
		{yearEnd, "daqui a 5 dias", day(2027, 1, 4)},
		{yearEnd, "em 2 semanas", day(2027, 1, 13)},
		{wed, "daqui a 400 dias", time.Time{}},
		{wed, "em 0 dias", time.Time{}},
		{wed, "em 3x", time.Time{}},
		{wed, "em 3 vezes", time.Time{}},

		// inside sentences, negations
		{wed, "vou pagar sexta", day(2026, 11, 20)},
		{wed, "consigo pagar no dia 5", day(2026, 12, 5)},
		{wed, "hoje nao", time.Time{}},
		{wed, "hoje nao amanha", day(2026, 11, 19)},
		{wed, "nao consigo pagar dia 10", time.Time{}},
		{wed, "nao consigo pagar dia 10 so dia 20", day(2026, 11, 20)},
		{wed, "pago dia 31/02 ou dia 1", day(2026, 12, 1)},
		{wed, "as 10:00", time.Time{}},
		{wed, "bom dia", time.Time{}},
		{wed, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.today.Format(time.DateOnly)+"_"+tt.text, func(t *testing.T) {
			got, ok := ParsePromiseDate(tt.text, tt.today)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("ParsePromiseDate(%q, %s) = %s, %v; want %s",
					tt.text, tt.today.Format(time.DateOnly), got.Format(time.DateOnly), ok, tt.want.Format(time.DateOnly))
			}
			if ok && (got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0) {
				t.Errorf("ParsePromiseDate(%q) = %v: not a civil date at midnight UTC", tt.text, got)
			}
		})
	}
}

// today's clock and zone do not matter, only its calendar date.
func TestParsePromiseDateTodayWithClock(t *testing.T) {
	t.Parallel()
	late := time.Date(2026, 11, 18, 23, 59, 0, 0, time.FixedZone("BRT", -3*3600))
	got, ok := ParsePromiseDate("amanha", late)
	if want := day(2026, 11, 19); !ok || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("ParsePromiseDate(amanha, %v) = %v, %v; want %v", late, got, ok, want)
	}
}

// Every day of a leap and a non-leap year: "dia N", "fim do mes" and the
// weekdays never go backwards nor further than promised.
func TestParsePromiseDateEveryDay(t *testing.T) {
	t.Parallel()
	texts := []string{"dia 1", "dia 15", "dia 29", "dia 30", "dia 31", "fim do mes",
		"segunda", "domingo", "29/02", "31/12", "01/01", "amanha"}
	for today := day(2027, 1, 1); today.Before(day(2029, 1, 1)); today = today.AddDate(0, 0, 1) {
		for _, text := range texts {
			got, ok := ParsePromiseDate(text, today)
			if !ok {
				if text == "29/02" {
					continue
				}
				t.Fatalf("ParsePromiseDate(%q, %s) found nothing", text, today.Format(time.DateOnly))
			}
			if got.Before(today) || got.Sub(today) > maxPromiseDays*24*time.Hour {
				t.Fatalf("ParsePromiseDate(%q, %s) = %s out of range", text, today.Format(time.DateOnly), got.Format(time.DateOnly))
			}
			if strings.HasPrefix(text, "dia ") && got.Sub(today) > 31*24*time.Hour {
				t.Fatalf("ParsePromiseDate(%q, %s) = %s: more than a month ahead", text, today.Format(time.DateOnly), got.Format(time.DateOnly))
			}
			if (text == "segunda" || text == "domingo") &&
				(got.Equal(today) || got.Sub(today) > 7*24*time.Hour) {
				t.Fatalf("ParsePromiseDate(%q, %s) = %s", text, today.Format(time.DateOnly), got.Format(time.DateOnly))
			}
		}
	}
}

func FuzzParsePromiseDate(f *testing.F) {
	for _, s := range []string{"dia 10", "10/12/2026", "15 de dezembro", "daqui a 5 dias", "sexta que vem",
		"dia 31 do mes que vem", "29/02", "em 99 semanas", "1/1/1", "dia vinte e nove"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, text string, offset int64) {
		today := day(2026, 11, 18).AddDate(0, 0, int(offset%40000))
		got, ok := ParsePromiseDate(text, today)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("ParsePromiseDate(%q) = %v without ok", text, got)
			}
			return
		}
		if got.Before(today) || got.Sub(today) > maxPromiseDays*24*time.Hour || got.Location() != time.UTC ||
			got.Hour() != 0 {
			t.Fatalf("ParsePromiseDate(%q, %v) = %v", text, today, got)
		}
	})
}
