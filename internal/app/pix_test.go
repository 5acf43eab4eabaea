package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.FixedZone("-03", -3*3600))

const demoSecret = "demo-webhook-secret-change-me"

// issue asks the API for a charge's Pix code.
func (s *service) issue(t *testing.T, chargeExt string) map[string]any {
	t.Helper()
	r := s.do(t, "POST", "/api/v1/charges/"+chargeExt+"/pix", "")
	if r.status != 200 {
		t.Fatalf("issue pix for %s: %d %s", chargeExt, r.status, r.raw)
	}
	return r.body
}

func pixJSON(e2e, txid string, amount payments.Cents, at time.Time) string {
	return fmt.Sprintf(`{"endToEndId":%q,"txid":%q,"valor":%q,"horario":%q}`, e2e, txid, amount.Decimal(), at.Format(time.RFC3339))
}

// notify posts a signed provider notification.
func (s *service) notify(t *testing.T, body string, sign func([]byte) string) resp {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL()+"/webhooks/pix", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sign != nil {
		req.Header.Set(apipix.SignatureHeader, sign([]byte(body)))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, raw: string(raw)}
	json.Unmarshal(raw, &r.body)
	return r
}

func goodSig(b []byte) string { return apipix.SignWebhook(demoSecret, testNow, b) }

func (s *service) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (s *service) checkLedgerBalanced(t *testing.T) {
	t.Helper()
	if n := s.count(t, "SELECT count(*) FROM (SELECT transaction_id FROM ledger_postings GROUP BY 1 HAVING sum(amount) <> 0) x"); n != 0 {
		t.Fatalf("%d unbalanced ledger transactions", n)
	}
}

func TestPixWebhookSixteenTimesPostsOnce(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	code := s.issue(t, "fat-1005")
	if !strings.HasPrefix(code["payload"].(string), "000201") {
		t.Fatalf("payload: %v", code)
	}
	amount, _ := payments.ParseCents(code["amount"].(string))
	e2e := apipixtest.NewEndToEndID("00000000", testNow, 1)
	body := `{"pix":[` + pixJSON(e2e, code["txid"].(string), amount, testNow) + `]}`
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := s.notify(t, body, goodSig); r.status == 200 {
				ok.Add(1)
			} else {
				t.Errorf("notification: %d %s", r.status, r.raw)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 16 {
		t.Fatalf("%d of 16 notifications accepted", ok.Load())
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE end_to_end_id = $1", e2e); n != 1 {
		t.Fatalf("%d payments recorded", n)
	}
	if n := s.count(t, "SELECT count(*) FROM ledger_postings WHERE account = 'cash_pix' AND transaction_id = (SELECT transaction_id FROM payments WHERE end_to_end_id = $1)", e2e); n != 1 {
		t.Fatalf("%d cash postings", n)
	}
	st := s.do(t, "GET", "/api/v1/charges/fat-1005", "")
	if st.body["status"] != "paid" {
		t.Fatalf("charge after payment: %s", st.raw)
	}
	if n := s.count(t, "SELECT count(*) FROM payment_confirmations"); n != 1 {
		t.Fatalf("%d confirmations recorded", n)
	}
	// QR image of the code.
	res, err := http.Get(strings.Replace(code["qr_png_url"].(string), "http://localhost:8080", s.URL(), 1))
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || len(png) < 100 {
		t.Fatalf("QR: %d %s %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(png))
	}
	if res, _ := http.Get(s.URL() + "/pix/qr/nope.png"); res.StatusCode != 404 {
		t.Fatalf("unknown QR: %d", res.StatusCode)
	}
	s.checkLedgerBalanced(t)
}

func TestPixWebhookRefusesBadSignatures(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	code := s.issue(t, "fat-1004")
	body := `[` + pixJSON(apipixtest.NewEndToEndID("00000000", testNow, 2), code["txid"].(string), 100, testNow) + `]`
	for name, sign := range map[string]func([]byte) string{
		"missing":      nil,
		"wrong secret": func(b []byte) string { return apipix.SignWebhook("another-secret-entirely", testNow, b) },
		"expired":      func(b []byte) string { return apipix.SignWebhook(demoSecret, testNow.Add(-6*time.Minute), b) },
		"other body":   func(b []byte) string { return apipix.SignWebhook(demoSecret, testNow, []byte("[]")) },
		"garbage":      func([]byte) string { return "t=abc,v1=zz" },
	} {
		if r := s.notify(t, body, sign); r.status != 401 {
			t.Errorf("%s signature: %d %s", name, r.status, r.raw)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE source = 'webhook'"); n != 0 {
		t.Fatalf("%d payments posted with bad signatures", n)
	}
	// A well-signed but malformed body is a 400 naming the item.
	r := s.notify(t, `{"pix":[{"endToEndId":"x","valor":"1.00"}]}`, goodSig)
	if r.status != 400 || !strings.Contains(r.raw, "pix[0]") {
		t.Fatalf("malformed: %d %s", r.status, r.raw)
	}
}

func TestUnmatchedAndOverpaidPixAlertStaff(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	code := s.issue(t, "fat-1012")
	amount, _ := payments.ParseCents(code["amount"].(string))
	body := `{"pix":[` + pixJSON(apipixtest.NewEndToEndID("00000000", testNow, 3), "RGUNKNOWN00", 5000, testNow) + `,` +
		pixJSON(apipixtest.NewEndToEndID("00000000", testNow, 4), code["txid"].(string), amount+1000, testNow) + `]}`
	r := s.notify(t, body, goodSig)
	if r.status != 200 || r.body["unmatched"] != 1.0 || r.body["overpaid"] != 1.0 {
		t.Fatalf("report: %d %s", r.status, r.raw)
	}
	alerts := s.do(t, "GET", "/api/v1/alerts", "")
	if !strings.Contains(alerts.raw, "unmatched_payment") || !strings.Contains(alerts.raw, "overpayment") {
		t.Fatalf("alerts: %s", alerts.raw)
	}
	st := s.do(t, "GET", "/api/v1/debtors/cli-011/statement", "")
	if st.body["credit"] != "10.00" {
		t.Fatalf("credit: %s", st.raw)
	}
	if n := s.count(t, "SELECT coalesce(-sum(amount), 0) FROM ledger_postings WHERE account = 'suspense'"); n != 5000 {
		t.Fatalf("suspense holds %d", n)
	}
	s.checkLedgerBalanced(t)
}

// The business's endpoint fails once, then accepts: the payment.received and
// charge.paid events arrive signed, and every attempt is in the delivery log.
func TestOutgoingWebhooksRetryAndSign(t *testing.T) {
	t.Parallel()
	s := start(t, map[string]string{"REGUA_WEBHOOK_ALLOW_PRIVATE": "true"}) // the receiver is on loopback
	var mu sync.Mutex
	got := map[string][]byte{}
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if calls.Add(1) == 1 {
			http.Error(w, "temporarily down", http.StatusServiceUnavailable)
			return
		}
		if err := apipix.VerifyWebhook(demoSecret, r.Header.Get("Regua-Signature"), body, testNow, 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		got[r.Header.Get("Regua-Event")] = body
		mu.Unlock()
	}))
	defer hook.Close()
	if r := s.do(t, "POST", "/api/v1/webhooks", `{"url":"`+hook.URL+`"}`); r.status != 201 {
		t.Fatalf("endpoint: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "POST", "/api/v1/webhooks", `{"url":"ftp://x"}`); r.status != 422 || errField(r) != "url" {
		t.Fatalf("bad endpoint: %d %s", r.status, r.raw)
	}
	code := s.issue(t, "fat-1004")
	amount, _ := payments.ParseCents(code["amount"].(string))
	e2e := apipixtest.NewEndToEndID("00000000", testNow, 5)
	if r := s.notify(t, `[`+pixJSON(e2e, code["txid"].(string), amount, testNow)+`]`, goodSig); r.status != 200 {
		t.Fatalf("notify: %d %s", r.status, r.raw)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhooks not delivered: %d calls, got %v", calls.Load(), got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var ev struct {
		ID, Type string
		Data     map[string]any
	}
	json.Unmarshal(got["payment.received"], &ev)
	if ev.ID != "evt_payment_"+e2e || ev.Data["amount"] != amount.Decimal() || ev.Data["debtor_external_id"] != "cli-004" || ev.Data["charge_external_id"] != "fat-1004" {
		t.Fatalf("payment.received: %s", got["payment.received"])
	}
	json.Unmarshal(got["charge.paid"], &ev)
	if ev.Data["external_id"] != "fat-1004" {
		t.Fatalf("charge.paid: %s", got["charge.paid"])
	}
	log := s.do(t, "GET", "/api/v1/webhooks/deliveries", "")
	if !strings.Contains(log.raw, `"status_code":503`) || !strings.Contains(log.raw, `"status_code":200`) {
		t.Fatalf("delivery log: %s", log.raw)
	}
}

// 100 payments reach the provider. The webhook delivers a shuffled subset
// with duplicates; reconciliation lists the rest. The ledger ends equal to
// the provider's list.
func TestReconciliationMatchesProvider(t *testing.T) {
	t.Parallel()
	psp := apipixtest.NewServer(t, apipixtest.Config{Now: func() time.Time { return testNow }})
	certFile, keyFile := psp.WriteClientCert(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, psp.CAPEM(), 0o600)
	s := start(t, map[string]string{"REGUA_DEMO": "true", "REGUA_PSP_URL": psp.URL, "REGUA_PSP_CLIENT_ID": psp.ClientID,
		"REGUA_PSP_CLIENT_SECRET": psp.ClientSecret, "REGUA_PSP_CERT": certFile, "REGUA_PSP_KEY": keyFile, "REGUA_PSP_CA": caFile,
		"REGUA_PIX_KEY": "cobranca@regua.example"})

	rng := rand.New(rand.NewPCG(7, 7))
	var notes []string
	var want payments.Cents
	for i := 0; i < 100; i++ {
		ext := fmt.Sprintf("rec-%03d", i)
		debtor := fmt.Sprintf("cli-%03d", 1+i%12)
		amt := payments.Cents(1000 + rng.IntN(90000))
		due := testNow.AddDate(0, 0, rng.IntN(20)-10).Format("2006-01-02")
		body := fmt.Sprintf(`{"external_id":%q,"debtor_external_id":%q,"amount":%q,"due_date":%q}`, ext, debtor, amt.Decimal(), due)
		if r := s.do(t, "POST", "/api/v1/charges", body); r.status != 201 {
			t.Fatalf("charge: %d %s", r.status, r.raw)
		}
		code := s.issue(t, ext)
		pay, _ := payments.ParseCents(code["amount"].(string))
		if i%10 == 0 {
			pay -= 500 // some pay only part
		}
		at := testNow.Add(-time.Duration(rng.IntN(3600)) * time.Second)
		e2e := apipixtest.NewEndToEndID("18236120", at, i)
		psp.Pay(code["txid"].(string), pay, e2e, at)
		want += pay
		if rng.IntN(3) > 0 { // two thirds also arrive by webhook
			notes = append(notes, pixJSON(e2e, code["txid"].(string), pay, at))
			if rng.IntN(4) == 0 {
				notes = append(notes, pixJSON(e2e, code["txid"].(string), pay, at)) // duplicated
			}
		}
	}
	if n := len(psp.Charges()); n != 100 {
		t.Fatalf("provider holds %d charges, want 100 (cob/cobv issued through the API)", n)
	}
	rng.Shuffle(len(notes), func(i, j int) { notes[i], notes[j] = notes[j], notes[i] })
	for i := 0; i < len(notes); i += 7 {
		batch := notes[i:min(i+7, len(notes))]
		if r := s.notify(t, `{"pix":[`+strings.Join(batch, ",")+`]}`, goodSig); r.status != 200 {
			t.Fatalf("notify: %d %s", r.status, r.raw)
		}
	}
	rep, err := s.Billing.Reconcile(context.Background(), s.PSP, testNow.Add(-2*time.Hour), testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// The service's own periodic reconciliation may have run first: either
	// way every listed payment is posted once.
	if rep.Received != 100 || rep.Posted+rep.Duplicates != 100 {
		t.Fatalf("reconciliation report: %+v", rep)
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE source = 'reconciliation'"); n == 0 || n+len(notes) < 100 {
		t.Fatalf("%d payments came only through reconciliation", n)
	}
	provider := map[string]payments.Cents{}
	for _, p := range psp.Payments() {
		provider[p.EndToEndID] = p.Valor
	}
	rows, _ := s.Pool.Query(context.Background(), "SELECT end_to_end_id, amount FROM payments WHERE source IN ('webhook', 'reconciliation')")
	ledger := map[string]payments.Cents{}
	for rows.Next() {
		var e string
		var a payments.Cents
		rows.Scan(&e, &a)
		ledger[e] = a
	}
	rows.Close()
	if len(ledger) != len(provider) {
		t.Fatalf("ledger has %d payments, provider %d", len(ledger), len(provider))
	}
	for e, a := range provider {
		if ledger[e] != a {
			t.Fatalf("payment %s: ledger %d, provider %d", e, ledger[e], a)
		}
	}
	var cash payments.Cents
	s.Pool.QueryRow(context.Background(), "SELECT coalesce(sum(p.amount), 0)::bigint FROM ledger_postings p JOIN payments y ON y.transaction_id = p.transaction_id WHERE p.account = 'cash_pix' AND y.source <> 'demo'").Scan(&cash)
	if cash != want {
		t.Fatalf("cash %s, provider received %s", cash, want)
	}
	if n := s.count(t, "SELECT count(*) FROM staff_alerts WHERE kind = 'unmatched_payment'"); n != 0 {
		t.Fatalf("%d payments did not match their codes", n)
	}
	if n := s.count(t, "SELECT count(*) FROM reconciliation_runs WHERE posted > 0"); n < 1 {
		t.Fatalf("reconciliation run not recorded")
	}
	s.checkLedgerBalanced(t)
}
