package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

// A body over the limit is a 413, whatever route reads it.
func TestBodyOverLimitIs413(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	big := `{"external_id":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, tc := range []struct {
		method, path string
		hdr          []string
	}{
		{"POST", "/api/v1/charges", nil},
		{"POST", "/api/v1/charges", []string{"Idempotency-Key", "big-1"}},
		{"POST", "/api/v1/debtors", nil},
		{"PUT", "/api/v1/policy", nil},
		{"POST", "/api/v1/webhooks", nil},
		{"POST", "/webhooks/pix", nil},
		{"POST", "/chat/api/11999000001/messages", nil},
	} {
		r := s.do(t, tc.method, tc.path, big, tc.hdr...)
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.raw, "larger than") {
			t.Errorf("%s %s %v: %d %.200s, want 413", tc.method, tc.path, tc.hdr, r.status, r.raw)
		}
	}
	// An import has its own, larger limit: 64 MiB.
	huge := "external_id,name,document,phone\n" + strings.Repeat(",,,\n", 65<<18)
	req, _ := http.NewRequest("POST", s.URL()+"/api/v1/imports?kind=debtors", strings.NewReader(huge))
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("import over 64 MiB: %d, want 413", res.StatusCode)
		}
	} // the server may close the connection before the client is done sending
}

// A NUL byte in a path, a query or a JSON string is a 400, never a 500 from
// PostgreSQL.
func TestNULIs400(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	for _, p := range []string{"/api/v1/debtors/a%00b", "/api/v1/debtors/%00/statement", "/api/v1/charges/x%00",
		"/api/v1/charges?debtor_external_id=%00", "/api/v1/conversations?status=%00", "/chat/api/%00/messages", "/%00"} {
		if r := s.do(t, "GET", p, ""); r.status != 400 || r.body["error"] == nil {
			t.Errorf("GET %s: %d %s, want a JSON 400", p, r.status, r.raw)
		}
	}
	for _, tc := range []struct{ path, body string }{
		{"/chat/api/11999000001/messages", `{"text":"oi\u0000"}`},
		{"/api/v1/debtors/cli-001/plans", `{"offer_id":"x\u0000"}`},
		{"/api/v1/charges", `{"external_id":"c\u0000","debtor_external_id":"cli-001","amount":"10","due_date":"2026-12-20"}`},
	} {
		if r := s.do(t, "POST", tc.path, tc.body); r.status != 400 || r.body["error"] == nil {
			t.Errorf("POST %s %s: %d %s, want a JSON 400", tc.path, tc.body, r.status, r.raw)
		}
	}
}

// REGUA_METRICS_ADDR moves /metrics to its own listener: the main one no
// longer serves it.
func TestMetricsOnItsOwnListener(t *testing.T) {
	t.Parallel()
	s := start(t, map[string]string{"REGUA_METRICS_ADDR": "127.0.0.1:0"})
	if r := s.do(t, "GET", "/metrics", ""); r.status != 404 {
		t.Fatalf("main listener /metrics: %d", r.status)
	}
	s.do(t, "GET", "/api/v1/debtors", "")
	res, err := http.Get(s.MetricsURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `regua_http_requests_total{route="GET /api/v1/debtors"`) {
		t.Fatalf("metrics listener: %d %.300s", res.StatusCode, body)
	}
}

// A payer's message holding a NUL (\u0000) does not make the provider's
// notification a 500 retried forever: the payment is booked once.
func TestPixWebhookPayerTextWithNUL(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	code := s.issue(t, "fat-1004")
	amount, _ := payments.ParseCents(code["amount"].(string))
	e2e := apipixtest.NewEndToEndID("00000000", testNow, 9)
	item := strings.TrimSuffix(pixJSON(e2e, code["txid"].(string), amount, testNow), "}") + `,"infoPagador":"pago\u0000 por Juliana"}`
	for range 2 {
		if r := s.notify(t, `{"pix":[`+item+`]}`, goodSig); r.status != 200 {
			t.Fatalf("notify: %d %s", r.status, r.raw)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE end_to_end_id = $1", e2e); n != 1 {
		t.Fatalf("%d payments booked", n)
	}
}
