package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

// Outgoing webhook URLs into our own network are refused at registration
// (422 naming url) and, should a name resolve there later (DNS rebinding),
// at delivery: the receiver on loopback is never called.
func TestWebhookURLsIntoOurNetworkRefused(t *testing.T) {
	t.Parallel()
	s := start(t, nil) // REGUA_WEBHOOK_ALLOW_PRIVATE unset
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer hook.Close()
	for _, u := range []string{hook.URL, "http://localhost:8080/hook", "http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.5/hook", "http://192.168.1.10/", "http://172.20.0.2/", "http://100.64.0.1/", "http://0.0.0.0/",
		"http://[::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/"} {
		if r := s.do(t, "POST", "/api/v1/webhooks", `{"url":"`+u+`"}`); r.status != 422 || errField(r) != "url" {
			t.Errorf("%s: %d %s, want a 422 naming url", u, r.status, r.raw)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM webhook_endpoints"); n != 0 {
		t.Fatalf("%d endpoints stored", n)
	}

	// The endpoint as a rebinding name would leave it: registered while
	// public, now pointing at loopback.
	if _, err := s.Pool.Exec(context.Background(), "INSERT INTO webhook_endpoints (url, events) VALUES ($1, $2)",
		hook.URL+"/rebound", []string{"payment.received", "charge.paid"}); err != nil {
		t.Fatal(err)
	}
	code := s.issue(t, "fat-1004")
	amount, _ := payments.ParseCents(code["amount"].(string))
	e2e := apipixtest.NewEndToEndID("00000000", testNow, 7)
	if r := s.notify(t, `[`+pixJSON(e2e, code["txid"].(string), amount, testNow)+`]`, goodSig); r.status != 200 {
		t.Fatalf("notify: %d %s", r.status, r.raw)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if log := s.do(t, "GET", "/api/v1/webhooks/deliveries", ""); strings.Contains(log.raw, "address not allowed") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no refused delivery attempt logged: %s", log.raw)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("the loopback receiver was called %d times", n)
	}
}
