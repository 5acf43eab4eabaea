package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// env is a whole Régua (demo data) with a clock the test moves and a log
// the test reads.
type env struct {
	m      *app.Main
	url    string
	offset atomic.Int64 // added to the real clock
	logMu  sync.Mutex
	log    bytes.Buffer
}

type lockedWriter struct{ e *env }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.e.logMu.Lock()
	defer w.e.logMu.Unlock()
	return w.e.log.Write(p)
}

func (e *env) logs() string {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return e.log.String()
}

func (e *env) advance(d time.Duration) { e.offset.Add(int64(d)) }

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{}
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(lockedWriter{e}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m, err := app.Open(context.Background(), cfg, log, e.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	e.m, e.url = m, m.URL()
	return e
}

const password = "uma senha bem comprida"

func (e *env) user(t *testing.T, email, role string) {
	t.Helper()
	if _, err := console.CreateUser(context.Background(), e.m.Pool, email, role, password, "test"); err != nil {
		t.Fatal(err)
	}
}

// client is a browser-like HTTP client: a cookie jar, no redirects
// followed, and the Origin a same-origin form post carries.
type client struct {
	t   *testing.T
	e   *env
	hc  *http.Client
	jar *cookiejar.Jar
}

func (e *env) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, e: e, jar: jar, hc: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.url+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		req.Header.Set("Origin", c.e.url)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	return c.do(http.MethodGet, path, nil, nil)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	return c.do(http.MethodPost, path, form, nil)
}

func (c *client) login(email string) {
	c.t.Helper()
	res, body := c.post("/console/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: %d %s", email, res.StatusCode, body)
	}
}
