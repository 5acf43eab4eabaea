package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// `regua apikey list` shows name, prefix, created, last used and revoked,
// never a key; `regua apikey revoke` (by id, prefix or unambiguous name)
// stops a key at once on a running service.
func TestAPIKeyListAndRevoke(t *testing.T) {
	db := pgtest.NewDatabase(t)
	t.Setenv("REGUA_DATABASE_URL", db)
	vars := map[string]string{"REGUA_DATABASE_URL": db, "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	cli := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"apikey"}, args...), strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	add := func(name string) string {
		code, out, errOut := cli("add", "--name", name)
		if code != 0 {
			t.Fatalf("add %s: %d %s", name, code, errOut)
		}
		return strings.TrimSpace(out)
	}
	erp1, erp2, site := add("erp"), add("erp"), add("site")
	status := func(key string) int {
		req, _ := http.NewRequest("GET", m.URL()+"/api/v1/debtors?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if status(erp1) != 200 || status(site) != 200 {
		t.Fatal("new keys do not work")
	}
	prefix := func(key string) string { return key[:len("rg_")+8] }

	code, out, _ := cli("list")
	if code != 0 || !strings.Contains(out, "LAST USED") || strings.Count(out, "\n") != 4 {
		t.Fatalf("list: %d\n%s", code, out)
	}
	for _, k := range []string{erp1, erp2, site} {
		if !strings.Contains(out, prefix(k)) || strings.Contains(out, k[len(prefix(k)):]) {
			t.Fatalf("list must show the prefix %s and never the key:\n%s", prefix(k), out)
		}
	}
	cols := func(out, prefix string) []string { // ID NAME PREFIX CREATED LAST-USED REVOKED
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, prefix) {
				return regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
			}
		}
		return nil
	}
	if c := cols(out, prefix(erp1)); len(c) != 6 || c[4] == "-" || c[5] != "-" {
		t.Errorf("key used once: want a last use and no revocation: %q", c)
	}
	if c := cols(out, prefix(erp2)); len(c) != 6 || c[4] != "-" || c[5] != "-" {
		t.Errorf("key never used: %q", c)
	}
	if code, _, errOut := cli("revoke", "erp"); code != 1 || !strings.Contains(errOut, "2 active keys") {
		t.Fatalf("ambiguous name: %d %s", code, errOut)
	}
	if code, out, errOut := cli("revoke", prefix(erp1)); code != 0 || !strings.Contains(out, "revoked key") {
		t.Fatalf("revoke by prefix: %d %s %s", code, out, errOut)
	}
	if s := status(erp1); s != 401 {
		t.Fatalf("revoked key still answers %d", s)
	}
	if status(erp2) != 200 {
		t.Fatal("the other erp key stopped working")
	}
	if code, _, errOut := cli("revoke", "erp"); code != 0 { // now unambiguous: erp2
		t.Fatalf("revoke by name: %d %s", code, errOut)
	}
	if status(erp2) != 401 {
		t.Fatal("erp2 still works")
	}
	var siteID string
	m.Pool.QueryRow(context.Background(), "SELECT id::text FROM api_keys WHERE name = 'site'").Scan(&siteID)
	for range 2 { // revoking twice changes nothing
		if code, _, errOut := cli("revoke", siteID); code != 0 {
			t.Fatalf("revoke by id: %d %s", code, errOut)
		}
	}
	if status(site) != 401 {
		t.Fatal("site still works")
	}
	if code, _, errOut := cli("revoke", "nope"); code != 1 || !strings.Contains(errOut, "no API key") {
		t.Fatalf("unknown key: %d %s", code, errOut)
	}
	_, out, _ = cli("list")
	for _, k := range []string{erp1, erp2, site} {
		if c := cols(out, prefix(k)); len(c) != 6 || c[4] == "-" || c[5] == "-" {
			t.Errorf("used and revoked: %q", c)
		}
	}
	var audits int
	m.Pool.QueryRow(context.Background(), "SELECT count(*) FROM audit_log WHERE action = 'apikey.revoke'").Scan(&audits)
	if audits != 3 {
		t.Fatalf("%d revocations audited, want 3", audits)
	}
}
