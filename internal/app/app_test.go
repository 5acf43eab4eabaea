package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/postgres/pgtest"
)

type service struct {
	*app.Main
	key string
}

// start runs the whole service on a random port against its own database.
func start(t testing.TB, env map[string]string) *service {
	t.Helper()
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true",
		"REGUA_REGUA_EVERY": "off"} // these tests are not about reminders
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, cfg.Location) }
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	key, err := httpapi.CreateAPIKey(context.Background(), m.Pool, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &service{Main: m, key: key}
}

type resp struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (s *service) do(t testing.TB, method, path, body string, hdr ...string) resp {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, raw: string(raw), header: res.Header}
	json.Unmarshal(raw, &r.body)
	return r
}

func errField(r resp) string {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := s.do(t, "GET", p, ""); r.status != 200 {
			t.Fatalf("%s: %d %s", p, r.status, r.raw)
		}
	}
	s.do(t, "GET", "/api/v1/debtors", "")
	r := s.do(t, "GET", "/metrics", "")
	if r.status != 200 || !strings.Contains(r.raw, "regua_http_requests_total") {
		t.Fatalf("metrics: %d %.300s", r.status, r.raw)
	}
}

func TestDemoDataSeededOnce(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	r := s.do(t, "GET", "/api/v1/debtors?limit=500", "")
	if n := len(r.body["data"].([]any)); n != 12 {
		t.Fatalf("demo debtors: %d", n)
	}
	// Statement of a debtor 10 days late shows today's amount with fine and interest.
	r = s.do(t, "GET", "/api/v1/debtors/cli-005/statement", "")
	if r.status != 200 || r.body["balance"] != "910.77" { // 890.00 + 2% (17.80) + 10 days of 1%/month (2.97)
		t.Fatalf("statement: %d %s", r.status, r.raw)
	}
	r = s.do(t, "GET", "/api/v1/debtors/cli-010/statement", "")
	if plans, _ := r.body["plans"].([]any); len(plans) != 1 || !strings.Contains(r.raw, `"in_plan"`) {
		t.Fatalf("demo debtor in a plan: %s", r.raw)
	}
	r = s.do(t, "GET", "/api/v1/debtors/cli-008/statement", "")
	if r.body["balance"] != "0.00" || len(r.body["payments"].([]any)) != 1 {
		t.Fatalf("paid debtor statement: %s", r.raw)
	}
	if err := app.SeedDemo(context.Background(), s.Store, s.Ledger, s.Plans, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	r = s.do(t, "GET", "/api/v1/charges?limit=500", "")
	if n := len(r.body["data"].([]any)); n != 14 {
		t.Fatalf("charges after a second seed: %d", n)
	}
}

func TestAPIBadInput(t *testing.T) {
	t.Parallel()
	s := start(t, map[string]string{"REGUA_DEMO": "false", "REGUA_PIX_KEY": "k@x.com", "REGUA_PIX_NAME": "N", "REGUA_PIX_CITY": "C",
		"REGUA_BUSINESS_NAME": "B", "REGUA_BUSINESS_DOCUMENT": "11222333000181", "REGUA_WEBHOOK_SECRET": "0123456789abcdef"})
	good := `{"external_id":"d1","name":"Maria","document":"123.456.789-09","phone":"(11) 98765-4321"}`
	if r := s.do(t, "POST", "/api/v1/debtors", good); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	cases := []struct {
		name, path, body string
		hdr              []string
		status           int
		field            string
	}{
		{"missing key", "/api/v1/debtors", good, []string{"Authorization", ""}, 401, ""},
		{"wrong key", "/api/v1/debtors", good, []string{"Authorization", "Bearer rg_abcdefgh_nope"}, 401, ""},
		{"malformed json", "/api/v1/debtors", `{"external_id":`, nil, 400, ""},
		{"not an object", "/api/v1/debtors", `[1,2]`, nil, 400, ""},
		{"unknown field", "/api/v1/debtors", `{"external_id":"d2","nome":"x"}`, nil, 400, "nome"},
		{"wrong type", "/api/v1/debtors", `{"external_id":12}`, nil, 400, "external_id"},
		{"empty body", "/api/v1/debtors", ``, nil, 400, ""},
		{"invalid cpf", "/api/v1/debtors", `{"external_id":"d3","name":"A","document":"123.456.789-00","phone":"11987654321"}`, nil, 422, "document"},
		{"missing name", "/api/v1/debtors", `{"external_id":"d3","document":"12345678909","phone":"11987654321"}`, nil, 422, "name"},
		{"conflict", "/api/v1/debtors", `{"external_id":"d1","name":"Other","document":"123.456.789-09","phone":"(11) 98765-4321"}`, nil, 409, "external_id"},
		{"negative amount", "/api/v1/charges", `{"external_id":"c1","debtor_external_id":"d1","amount":"-10.00","due_date":"2026-12-01"}`, nil, 422, "amount"},
		{"zero amount", "/api/v1/charges", `{"external_id":"c1","debtor_external_id":"d1","amount":"0","due_date":"2026-12-01"}`, nil, 422, "amount"},
		{"bad date", "/api/v1/charges", `{"external_id":"c1","debtor_external_id":"d1","amount":"10.00","due_date":"2026-02-30"}`, nil, 422, "due_date"},
		{"unknown debtor", "/api/v1/charges", `{"external_id":"c1","debtor_external_id":"nobody","amount":"10.00","due_date":"2026-12-01"}`, nil, 422, "debtor_external_id"},
		{"bad limit", "/api/v1/debtors?limit=0", "", nil, 400, "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.body == "" && strings.Contains(tc.path, "?") {
				method = "GET"
			}
			r := s.do(t, method, tc.path, tc.body, tc.hdr...)
			if r.status != tc.status || errField(r) != tc.field {
				t.Fatalf("got %d field %q: %s", r.status, errField(r), r.raw)
			}
			if strings.Contains(r.raw, "goroutine") || r.body["error"] == nil {
				t.Fatalf("not a JSON error: %s", r.raw)
			}
		})
	}
	if r := s.do(t, "GET", "/api/v1/debtors/nope", ""); r.status != 404 {
		t.Fatalf("not found: %d", r.status)
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	body := `{"external_id":"c-idem","debtor_external_id":"cli-001","amount":"1234.56","due_date":"2026-12-30","description":"Teste"}`
	var wg sync.WaitGroup
	results := make([]resp, 8)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = s.do(t, "POST", "/api/v1/charges", body, "Idempotency-Key", "k1")
		}(i)
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		switch r.status {
		case 201:
			if r.header.Get("Idempotent-Replayed") != "true" {
				created++
			}
			if r.body["amount"] != "1234.56" || r.body["due_date"] != "2026-12-30" {
				t.Fatalf("charge: %s", r.raw)
			}
		case 409: // still in progress
		default:
			t.Fatalf("unexpected %d %s", r.status, r.raw)
		}
	}
	if created != 1 {
		t.Fatalf("%d answers were not replays", created)
	}
	r := s.do(t, "POST", "/api/v1/charges", body, "Idempotency-Key", "k1")
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %v", r.status, r.header)
	}
	r = s.do(t, "POST", "/api/v1/charges", strings.Replace(body, "Teste", "Outro", 1), "Idempotency-Key", "k1")
	if r.status != 409 || errField(r) != "Idempotency-Key" {
		t.Fatalf("different body: %d %s", r.status, r.raw)
	}
	var n int
	s.Pool.QueryRow(context.Background(), "SELECT count(*) FROM ledger_postings p JOIN charges c ON c.id = p.charge_id WHERE c.external_id = 'c-idem'").Scan(&n)
	if n != 2 {
		t.Fatalf("charge booked with %d postings, want 2", n)
	}
}

func TestImportEndpoint(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	post := func(kind, csv string) resp {
		req, _ := http.NewRequest("POST", s.URL()+"/api/v1/imports?kind="+kind, strings.NewReader(csv))
		req.Header.Set("Authorization", "Bearer "+s.key)
		req.Header.Set("Content-Type", "text/csv")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		r := resp{status: res.StatusCode, raw: b.String()}
		json.Unmarshal(b.Bytes(), &r.body)
		return r
	}
	csv := "external_id;debtor_external_id;descricao;valor;vencimento\nx1;cli-001;A;1.234,56;30/12/2026\nx2;cli-404;B;10,00;30/12/2026\nx3;cli-002;C;abc;30/12/2026\n"
	r := post("charges", csv)
	if r.status != 422 || !strings.Contains(r.raw, `"line":3`) || !strings.Contains(r.raw, `"line":4`) {
		t.Fatalf("mixed file: %d %s", r.status, r.raw)
	}
	if got := s.do(t, "GET", "/api/v1/charges/x1", ""); got.status != 404 {
		t.Fatalf("a refused import applied a line: %s", got.raw)
	}
	// Unknown debtor is only found against the database: still all or nothing.
	r = post("charges", "external_id,debtor_external_id,description,amount,due_date\nx1,cli-001,A,1234.56,2026-12-30\nx2,cli-404,B,10.00,2026-12-30\n")
	if r.status != 422 || !strings.Contains(r.raw, `"line":3`) || !strings.Contains(r.raw, "cli-404") {
		t.Fatalf("unknown debtor: %d %s", r.status, r.raw)
	}
	good := "external_id,debtor_external_id,description,amount,due_date\nx1,cli-001,A,1234.56,2026-12-30\nx2,cli-002,B,10.00,2026-12-30\n"
	r = post("charges", good)
	if r.status != 200 || fmt.Sprint(r.body["result"].(map[string]any)["inserted"]) != "2" {
		t.Fatalf("good import: %d %s", r.status, r.raw)
	}
	r = post("charges", good)
	res := r.body["result"].(map[string]any)
	if fmt.Sprint(res["inserted"]) != "0" || fmt.Sprint(res["unchanged"]) != "2" {
		t.Fatalf("re-import: %s", r.raw)
	}
	if r = post("charges", ""); r.status != 422 {
		t.Fatalf("empty file: %d %s", r.status, r.raw)
	}
	if r = post("nonsense", good); r.status != 400 {
		t.Fatalf("bad kind: %d %s", r.status, r.raw)
	}
}
