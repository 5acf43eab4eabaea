package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

var brt = time.FixedZone("BRT", -3*60*60)

type plansRun struct {
	code           int
	stdout, stderr string
}

func runPlans(policy payments.Policy, now time.Time, args ...string) plansRun {
	var out, errOut bytes.Buffer
	code := plansCommand(args, policy, now, brt, &out, &errOut)
	return plansRun{code, out.String(), errOut.String()}
}

func simulatedDebt(amount payments.Cents, now time.Time, overdue int) payments.Debt {
	return payments.Debt{DebtorExternalID: "simulation", Charges: []payments.DebtCharge{{
		ExternalID: "simulation",
		Principal:  amount,
		DueDate:    payments.Date(now, brt).AddDate(0, 0, -overdue),
	}}}
}

func TestPlansSimulateJSONExact(t *testing.T) {
	t.Parallel()
	p := payments.DefaultPolicy()
	p.PlanMonthlyRateBP, p.MaxInstallments = 0, 2
	now := time.Date(2026, time.June, 15, 10, 0, 0, 0, brt)
	r := runPlans(p, now, "simulate", "--amount", "100.00", "--overdue-days", "0", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	offers, err := p.Offers(simulatedDebt(10000, now, 0), now, brt)
	if err != nil || len(offers) != 2 {
		t.Fatalf("Offers = %d offers, %v", len(offers), err)
	}
	want := `{"offers":[` +
		`{"id":"` + offers[0].ID + `","kind":"cash","count":1,"total":"100.00","discount":"0.00","installments":[{"number":1,"due_date":"2026-06-15","amount":"100.00"}]},` +
		`{"id":"` + offers[1].ID + `","kind":"installments","count":2,"total":"100.00","discount":"0.00","installments":[{"number":1,"due_date":"2026-06-18","amount":"50.00"},{"number":2,"due_date":"2026-07-18","amount":"50.00"}]}` +
		"]}\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestPlansSimulateJSONShape(t *testing.T) {
	t.Parallel()
	p := payments.DefaultPolicy()
	now := time.Date(2026, time.January, 28, 22, 30, 0, 0, brt)
	r := runPlans(p, now, "simulate", "--amount=1.500,00", "--overdue-days=40", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if len(doc) != 1 || len(doc["offers"]) != 12 {
		t.Fatalf("want {offers: [12 offers]}, got %s", r.stdout)
	}
	offers, err := p.Offers(simulatedDebt(150000, now, 40), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	amount := regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)
	date := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	for i, o := range doc["offers"] {
		if got := slices.Sorted(mapKeys(o)); !reflect.DeepEqual(got, []string{"count", "discount", "id", "installments", "kind", "total"}) {
			t.Fatalf("offer %d keys %v", i, got)
		}
		want := offers[i]
		if o["id"] != want.ID || o["kind"] != want.Kind || o["count"] != float64(want.Count) ||
			o["total"] != want.Total.Decimal() || o["discount"] != want.Discount.Decimal() {
			t.Errorf("offer %d = %v, want %+v", i, o, want)
		}
		ins := o["installments"].([]any)
		if len(ins) != want.Count {
			t.Errorf("offer %d has %d installments", i, len(ins))
		}
		for k, x := range ins {
			in := x.(map[string]any)
			if got := slices.Sorted(mapKeys(in)); !reflect.DeepEqual(got, []string{"amount", "due_date", "number"}) {
				t.Fatalf("installment keys %v", got)
			}
			if in["number"] != float64(k+1) || !amount.MatchString(in["amount"].(string)) || !date.MatchString(in["due_date"].(string)) {
				t.Errorf("offer %d installment %v", i, in)
			}
		}
	}
	// 1500.00 forty days late: 30.00 fine + 20.00 interest, half of it
	// waived for cash; the first installment is due on 31 January, then
	// on the last day of February.
	if doc["offers"][0]["total"] != "1525.00" || doc["offers"][0]["discount"] != "25.00" {
		t.Errorf("cash offer %v", doc["offers"][0])
	}
	second := doc["offers"][1]["installments"].([]any)
	if d1, d2 := second[0].(map[string]any)["due_date"], second[1].(map[string]any)["due_date"]; d1 != "2026-01-31" || d2 != "2026-02-28" {
		t.Errorf("2x due on %v and %v", d1, d2)
	}
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestPlansSimulateTable(t *testing.T) {
	t.Parallel()
	p := payments.DefaultPolicy()
	p.MaxInstallments = 3
	now := time.Date(2026, time.June, 15, 10, 0, 0, 0, brt)
	r := runPlans(p, now, "simulate", "--amount", "1500.00", "--overdue-days", "40")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	offers, err := p.Offers(simulatedDebt(150000, now, 40), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`Debt R$ 1.500,00, 40 days overdue: fine and interest R$ 50,00, balance R$ 1.550,00
OFFER  PAYMENTS                   TOTAL        DISCOUNT  FIRST DUE   ID
cash   1 × R$ 1.525,00            R$ 1.525,00  R$ 25,00  2026-06-15  %s
2x     2 × R$ 784,19              R$ 1.568,38  R$ 0,00   2026-06-18  %s
3x     2 × R$ 527,93 + R$ 527,92  R$ 1.583,78  R$ 0,00   2026-06-18  %s
Plans: 1,99%% a month (Price), no cash discount.
Offers expire at 2026-06-16 00:00 BRT.
`, offers[0].ID, offers[1].ID, offers[2].ID)
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestPlansSimulateCashOnly(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.June, 15, 10, 0, 0, 0, brt)
	r := runPlans(payments.DefaultPolicy(), now, "simulate", "--amount", "30,00")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Cash only: min_installment: ") || strings.Contains(r.stdout, "2x") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = runPlans(payments.DefaultPolicy(), now, "simulate", "--amount", "30,00", "--json")
	var doc struct{ Offers []struct{ Kind string } }
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Offers) != 1 || doc.Offers[0].Kind != "cash" {
		t.Errorf("JSON %s (%v), want the cash offer alone", r.stdout, err)
	}
}

func TestPlansBadArguments(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.June, 15, 10, 0, 0, 0, brt)
	tests := []struct {
		args    []string
		mention string
	}{
		{nil, "simulate"},
		{[]string{"simular"}, "simular"},
		{[]string{"simulate"}, "--amount"},
		{[]string{"simulate", "--overdue-days", "3"}, "--amount"},
		{[]string{"simulate", "--amount"}, "-amount"},
		{[]string{"simulate", "--amount", "abc"}, "-amount"},
		{[]string{"simulate", "--amount", "12.3456"}, "-amount"},
		{[]string{"simulate", "--amount", "0"}, "-amount"},
		{[]string{"simulate", "--amount", "1.500"}, "ambiguous"}, // R$ 1.500,00 or 1,50?
		{[]string{"simulate", "--amount", "1,500"}, "ambiguous"},
		{[]string{"simulate", "--amount", "0.100"}, "more than two decimal"},
		{[]string{"simulate", "--amount", "-10.00"}, "-amount"},
		{[]string{"simulate", "--amount", "100", "--overdue-days", "x"}, "-overdue-days"},
		{[]string{"simulate", "--amount", "100", "--overdue-days", "-1"}, "--overdue-days"},
		{[]string{"simulate", "--amount", "100", "--overdue-days", "99999"}, "--overdue-days"},
		{[]string{"simulate", "--amount", "100", "--jason"}, "-jason"},
		{[]string{"simulate", "--amount", "100", "--json=maybe"}, "-json"},
		{[]string{"simulate", "--amount", "100", "extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runPlans(payments.DefaultPolicy(), now, tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") || !strings.Contains(r.stderr, tt.mention) {
				t.Errorf("stderr %q, want one line mentioning %q", r.stderr, tt.mention)
			}
		})
	}
}

func TestPlansBadPolicy(t *testing.T) {
	t.Parallel()
	p := payments.DefaultPolicy()
	p.LateFees.FineBP = 1000
	r := runPlans(p, time.Date(2026, time.June, 15, 10, 0, 0, 0, brt), "simulate", "--amount", "100")
	if r.code != 1 || !strings.Contains(r.stderr, "late_fees.fine_bp") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestPlansHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"simulate", "-h"}, {"simulate", "--help"}} {
		r := runPlans(payments.DefaultPolicy(), time.Now(), args...)
		if r.code != 0 || !strings.Contains(r.stdout, "usage: regua plans simulate") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}
