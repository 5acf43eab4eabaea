package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/internal/console"
)

// concrete turns a route pattern into a path a request can take.
func concrete(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	if path == "" {
		method, path = "GET", pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllStringFunc(path, func(w string) string {
		switch w {
		case "{external_id}":
			return "cli-001"
		case "{file}":
			return "summary.csv"
		}
		return "1"
	})
	if strings.HasSuffix(path, "/") && path != "/console/" {
		path += "x"
	}
	return method, path
}

func TestEveryRouteRefusesAnonymous(t *testing.T) {
	e := setup(t)
	routes := e.m.Console.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes recorded", len(routes))
	}
	c := e.client(t)
	for _, r := range routes {
		method, path := concrete(r.Pattern)
		res, body := c.do(method, path, url.Values{}, nil)
		switch {
		case res.StatusCode == http.StatusUnauthorized:
		case res.StatusCode == http.StatusSeeOther && method == "GET" && strings.HasPrefix(res.Header.Get("Location"), "/console/login"):
		default:
			t.Errorf("%s %s anonymous: %d %.100s", method, path, res.StatusCode, body)
		}
	}
	// A made-up or stale session cookie is no better.
	u, _ := url.Parse(e.url)
	c.jar.SetCookies(u, []*http.Cookie{{Name: "regua_console", Value: "forged-token"}})
	if res, _ := c.get("/console/kpis"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", res.StatusCode)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	e := setup(t)
	e.user(t, "admin@regua.test", console.RoleAdmin)
	c := e.client(t)
	c.login("admin@regua.test")
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		res, _ := c.do("POST", "/console/debtors/cli-001/pause", url.Values{"pause": {"1"}}, h)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site %v: %d", h, res.StatusCode)
		}
		res, _ = c.do("POST", "/console/login", url.Values{"email": {"admin@regua.test"}, "password": {password}}, h)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site login %v: %d", h, res.StatusCode)
		}
	}
	var paused bool
	e.m.Pool.QueryRow(context.Background(), "SELECT regua_paused_at IS NOT NULL FROM debtors WHERE external_id = 'cli-001'").Scan(&paused)
	if paused {
		t.Fatal("a cross-site post paused the régua")
	}
	// The same post from the console's own origin goes through.
	if res, body := c.post("/console/debtors/cli-001/pause", url.Values{"pause": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin: %d %s", res.StatusCode, body)
	}
}

func TestRoles(t *testing.T) {
	e := setup(t)
	e.user(t, "agente@regua.test", console.RoleAgent)
	e.user(t, "super@regua.test", console.RoleSupervisor)
	agent, super := e.client(t), e.client(t)
	agent.login("agente@regua.test")
	super.login("super@regua.test")
	for _, r := range e.m.Console.Routes() {
		method, path := concrete(r.Pattern)
		for _, tc := range []struct {
			c       *client
			role    string
			refused bool
		}{
			{agent, console.RoleAgent, r.Role != console.RoleAgent},
			{super, console.RoleSupervisor, r.Role == console.RoleAdmin},
		} {
			if strings.HasSuffix(path, "/events") || strings.Contains(path, "logout") {
				continue
			}
			res, body := tc.c.do(method, path, url.Values{}, nil)
			if got := res.StatusCode == http.StatusForbidden; got != tc.refused {
				t.Errorf("%s %s as %s: %d (want refused=%v) %.80s", method, path, tc.role, res.StatusCode, tc.refused, body)
			}
		}
	}
	res, _ := agent.get("/console/settings")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("agent on settings: %d", res.StatusCode)
	}
}

func TestLockoutAfterFiveWrongPasswords(t *testing.T) {
	e := setup(t)
	e.user(t, "ana@regua.test", console.RoleAgent)
	c := e.client(t)
	for i := 1; i <= 5; i++ {
		res, body := c.post("/console/login", url.Values{"email": {"ana@regua.test"}, "password": {"wrong password " + string(rune('a'+i))}})
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("attempt %d: %d %s", i, res.StatusCode, body)
		}
	}
	// Locked: even the right password is refused.
	res, body := c.post("/console/login", url.Values{"email": {"ana@regua.test"}, "password": {password}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "bloqueada") {
		t.Fatalf("locked account, right password: %d", res.StatusCode)
	}
	e.advance(16 * time.Minute)
	c.login("ana@regua.test")
	// A success resets the count: one wrong password does not lock.
	res, _ = e.client(t).post("/console/login", url.Values{"email": {"ana@regua.test"}, "password": {"nope nope nope"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after reset: %d", res.StatusCode)
	}
	// An unknown email gets the same answer as a wrong password.
	res, body = e.client(t).post("/console/login", url.Values{"email": {"ninguem@regua.test"}, "password": {password}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "E-mail ou senha incorretos") {
		t.Fatalf("unknown email: %d", res.StatusCode)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := setup(t)
	e.user(t, "ana@regua.test", console.RoleAgent)
	c := e.client(t)
	c.login("ana@regua.test")
	if res, _ := c.get("/console/"); res.StatusCode != http.StatusOK {
		t.Fatalf("fresh session: %d", res.StatusCode)
	}
	// Idle: 31 minutes without a request.
	e.advance(31 * time.Minute)
	if res, _ := c.get("/console/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle session: %d", res.StatusCode)
	}
	// Absolute: a session in use for more than 12 hours.
	c.login("ana@regua.test")
	for range 25 {
		e.advance(29 * time.Minute)
		if res, _ := c.get("/console/"); res.StatusCode != http.StatusOK {
			if e.now().Sub(time.Now()) < 12*time.Hour {
				t.Fatalf("session refused before 12 hours of use: %d", res.StatusCode)
			}
			break
		}
	}
	if res, _ := c.get("/console/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session older than 12 hours: %d", res.StatusCode)
	}
	// Logout everywhere ends every session of the user.
	a, b := e.client(t), e.client(t)
	a.login("ana@regua.test")
	b.login("ana@regua.test")
	if res, _ := a.post("/console/logout-all", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout-all: %d", res.StatusCode)
	}
	if res, _ := b.get("/console/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other device after logout-all: %d", res.StatusCode)
	}
}

func TestCookieFlags(t *testing.T) {
	e := setup(t)
	e.user(t, "ana@regua.test", console.RoleAgent)
	res, _ := e.client(t).post("/console/login", url.Values{"email": {"ana@regua.test"}, "password": {password}})
	ck := res.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode || ck[0].Path != "/" {
		t.Fatalf("cookie %+v", ck)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	e := setup(t)
	e.user(t, "admin@regua.test", console.RoleAdmin)
	c := e.client(t)
	c.post("/console/login", url.Values{"email": {"admin@regua.test"}, "password": {"a wrong secret password"}})
	c.login("admin@regua.test")
	u, _ := url.Parse(e.url)
	var token string
	for _, ck := range c.jar.Cookies(u) {
		token = ck.Value
	}
	res, body := c.post("/console/settings/apikeys", url.Values{"name": {"erp"}})
	key := regexp.MustCompile(`rg_[a-z0-9]{8}_[a-z0-9]{32}`).FindString(body)
	if res.StatusCode != 200 || key == "" {
		t.Fatalf("api key: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", e.url+"/api/v1/debtors", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("api key does not work: %v", err)
	}
	// Errors too: a cross-site post, a missing page.
	c.do("POST", "/console/logout", url.Values{}, map[string]string{"Origin": "https://evil.example"})
	c.get("/console/nothing-here")
	logs := e.logs()
	if len(logs) < 100 {
		t.Fatalf("the log is nearly empty (%d bytes): nothing was checked", len(logs))
	}
	for name, secret := range map[string]string{"password": password, "wrong password": "a wrong secret password", "session token": token, "api key": key} {
		if secret == "" || strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the logs (or is empty)", name)
		}
	}
	// Nor are they stored in clear: only hashes.
	var n int
	e.m.Pool.QueryRow(context.Background(), `SELECT count(*) FROM console_users WHERE password_hash LIKE '%' || $1 || '%'
		OR NOT password_hash LIKE '$argon2id$%'`, password).Scan(&n)
	if n != 0 {
		t.Fatal("a password is stored in clear")
	}
}

func TestAuditLogAppendOnly(t *testing.T) {
	e := setup(t)
	e.user(t, "admin@regua.test", console.RoleAdmin)
	ctx := context.Background()
	var n int
	if err := e.m.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'user.create' AND actor = 'test'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("user.create audited %d times: %v", n, err)
	}
	for _, sql := range []string{
		"UPDATE audit_log SET actor = 'someone else'",
		"DELETE FROM audit_log",
		"TRUNCATE audit_log",
	} {
		if _, err := e.m.Pool.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", sql, err)
		}
	}
	// Admins read it in the console.
	c := e.client(t)
	c.login("admin@regua.test")
	res, body := c.get("/console/settings/audit")
	if res.StatusCode != 200 || !strings.Contains(body, "user.create") || !strings.Contains(body, "login") {
		t.Fatalf("audit page: %d", res.StatusCode)
	}
}

func TestCreateUserValidation(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, tc := range []struct{ email, role, password, field string }{
		{"not-an-email", "agent", password, "email"},
		{"a@b.c", "boss", password, "role"},
		{"a@b.c", "agent", "short", "password"},
	} {
		_, err := console.CreateUser(ctx, e.m.Pool, tc.email, tc.role, tc.password, "test")
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: %v", tc, err)
		}
	}
	e.user(t, "Dup@Regua.test", console.RoleAgent)
	if _, err := console.CreateUser(ctx, e.m.Pool, "dup@regua.test", "agent", password, "test"); err == nil {
		t.Fatal("duplicate email accepted")
	}
}

var _ = sync.Mutex{}
