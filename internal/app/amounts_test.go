package app_test

import (
	"fmt"
	"strings"
	"testing"
)

// The API's amount contract is a decimal string with a point and at most two
// decimals: "0.100" was stored as R$ 100,00 and "1.500" as R$ 1.500,00.
// Anything but the machine form is a 422 naming the field, and nothing is
// stored.
func TestAPIAmountContract(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	charge := func(id, amount string) string {
		return fmt.Sprintf(`{"external_id":%q,"debtor_external_id":"cli-001","amount":%s,"due_date":"2026-12-20"}`, id, amount)
	}
	for i, amount := range []string{`"0.100"`, `"0.001"`, `"1.500"`, `"1,50"`, `"1.234,56"`, `"-1"`, `""`, `"1e3"`, `" 12.50"`,
		`"12."`, `".5"`, `"R$ 12,00"`, `"+1"`, `12.5`, `1500`, `"0"`, `"0.00"`} {
		r := s.do(t, "POST", "/api/v1/charges", charge(fmt.Sprint("AMT-BAD-", i), amount))
		if r.status != 422 || errField(r) != "amount" {
			t.Errorf("amount %s: %d %s, want a 422 naming amount", amount, r.status, r.raw)
		}
	}
	r := s.do(t, "GET", "/api/v1/charges?debtor_external_id=cli-001&limit=500", "")
	if strings.Contains(r.raw, "AMT-BAD-") {
		t.Fatalf("a refused charge was stored: %s", r.raw)
	}
	for i, tc := range []struct{ in, want string }{{"1234.56", "1234.56"}, {"12", "12.00"}, {"12.5", "12.50"}, {"0.01", "0.01"}} {
		r := s.do(t, "POST", "/api/v1/charges", charge(fmt.Sprint("AMT-OK-", i), `"`+tc.in+`"`))
		if r.status != 201 || r.body["amount"] != tc.want {
			t.Errorf("amount %q: %d %s, want 201 with %s", tc.in, r.status, r.raw, tc.want)
		}
	}

	// The policy's amounts follow the same contract, the error naming the setting.
	for _, tc := range []struct{ body, field string }{
		{`{"min_installment":"0.100"}`, "min_installment"},
		{`{"min_installment":"1.500"}`, "min_installment"},
		{`{"min_installment":50}`, "min_installment"},
		{`{"min_installment":"50,00"}`, "min_installment"},
		{`{"min_installment":"-1"}`, "min_installment"},
		{`{"installment_tiers":[{"min_debt":"1.000","min_days_overdue":0,"max_installments":6}]}`, "installment_tiers.min_debt"},
	} {
		r := s.do(t, "PUT", "/api/v1/policy", tc.body)
		if r.status != 422 || errField(r) != tc.field {
			t.Errorf("policy %s: %d %s, want a 422 naming %s", tc.body, r.status, r.raw, tc.field)
		}
	}
	if r := s.do(t, "PUT", "/api/v1/policy", `{"min_installment":"60.5"}`); r.status != 200 || r.body["min_installment"] != "60.50" {
		t.Errorf("valid policy: %d %s", r.status, r.raw)
	}
}

// The API's dates are YYYY-MM-DD (SPEC's JSON conventions); the Brazilian
// forms stay for CSV files.
func TestAPIDueDateContract(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	for i, date := range []string{"30/12/2026", "30/12/26", "2026-12-32", "2026/12/20", "20261220", "2026-12-20T00:00:00Z", ""} {
		body := fmt.Sprintf(`{"external_id":"DATE-BAD-%d","debtor_external_id":"cli-001","amount":"10.00","due_date":%q}`, i, date)
		if r := s.do(t, "POST", "/api/v1/charges", body); r.status != 422 || errField(r) != "due_date" {
			t.Errorf("due_date %q: %d %s, want a 422 naming due_date", date, r.status, r.raw)
		}
	}
	body := `{"external_id":"DATE-OK","debtor_external_id":"cli-001","amount":"10.00","due_date":"2026-12-20"}`
	if r := s.do(t, "POST", "/api/v1/charges", body); r.status != 201 || r.body["due_date"] != "2026-12-20" {
		t.Errorf("valid due date: %d %s", r.status, r.raw)
	}
}
