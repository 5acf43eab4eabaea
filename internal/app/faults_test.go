package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// faultProxy stands between the service and PostgreSQL or Redis on
// loopback, so that a test can cut the connection as a network blip or a
// restart would: cut closes every connection and refuses new ones.
type faultProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *faultProxy) serve(c net.Conn) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *faultProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// leakForms are phones and documents in every form the intake accepts, with
// the digits that masking removes (which must never reach a log).
var leakForms = []struct{ in, secret string }{
	{"(11) 99900-0001", "999000001"},
	{"11 99900 0001", "999000001"},
	{"11 9 9900-0001", "999000001"},
	{"+55 (11) 99900-0002", "999000002"},
	{"+55 11 99900-0007", "999000007"},
	{"+5511999000010", "999000010"},
	{"5511999000012", "999000012"},
	{"11999000003", "999000003"},
	{"011 99900-0004", "999000004"},
	{"(21) 3456-7890", "34567890"},
	{"%2B5511987650001", "987650001"},
	{"%2B55%20(11)%2098765-0002", "987650002"},
	{"123.456.789-09", "123456789"},
	{"529 982 247 25", "529982247"},
	{"11144477735", "111444777"},
	{"11.222.333/0001-81", "11222333"},
	{"11 222 333 0001 81", "11222333"},
	{"11222333000181", "11222333"},
	{"12.ABC.345/01DE-35", "ABC345"},
}

// startBehindProxies runs the service (demo mode, debug logs into a buffer)
// with PostgreSQL and Redis reached through fault proxies.
func startBehindProxies(t *testing.T) (m *Main, key string, logs *syncBuffer, pgProxy, redisProxy *faultProxy) {
	t.Helper()
	pg, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	pgProxy = newFaultProxy(t, pg.Host)
	redisProxy = newFaultProxy(t, "127.0.0.1:6379")
	pg.Host = pgProxy.addr()
	vars := map[string]string{"REGUA_DATABASE_URL": pg.String(), "REGUA_REDIS_URL": "redis://" + redisProxy.addr() + "/0",
		"REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs = &syncBuffer{}
	m, err = Open(context.Background(), cfg, NewLogger(logs, -4 /* debug */), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	key, err = httpapi.CreateAPIKey(context.Background(), m.Pool, "test")
	if err != nil {
		t.Fatal(err)
	}
	return m, key, logs, pgProxy, redisProxy
}

// /readyz says which dependency is down, never the database's user, host
// or name, nor Redis's address.
func TestReadyzHidesConnectionDetails(t *testing.T) {
	t.Parallel()
	m, _, _, pgProxy, redisProxy := startBehindProxies(t)
	dbName := m.Pool.Config().ConnConfig.Database
	get := func() (int, string) {
		res, err := http.Get(m.URL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get(); code != 200 {
		t.Fatalf("ready: %d %s", code, body)
	}
	for _, tc := range []struct {
		proxy     *faultProxy
		component string
	}{{pgProxy, "postgres"}, {redisProxy, "redis"}} {
		tc.proxy.cut()
		code, body := get()
		tc.proxy.restore()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if c, _ := get(); c == 200 {
				break // recovered on its own
			} else if time.Now().After(deadline) {
				t.Fatalf("%s restored but /readyz still %d", tc.component, c)
			}
		}
		if code != 503 || !strings.Contains(body, tc.component+" is unreachable") {
			t.Errorf("%s down: %d %s", tc.component, code, body)
		}
		for _, secret := range []string{dbName, "postgres@", "user=", "127.0.0.1", pgProxy.addr(), redisProxy.addr(), "dial", "database"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s down: /readyz shows %q: %s", tc.component, secret, body)
			}
		}
	}
}

// Under PostgreSQL and Redis failures (and at debug level when both are up)
// no log line holds a phone or a document, whatever form the request used:
// logs name the route's pattern and a request id, never the path.
func TestNoPersonalDataInLogsUnderFailures(t *testing.T) {
	t.Parallel()
	m, key, logs, pgProxy, redisProxy := startBehindProxies(t)
	client := &http.Client{Timeout: 20 * time.Second}
	var mu sync.Mutex
	statuses := map[int]int{}
	var failedIDs []string // request ids of the 500s: each must be in the log
	do := func(method, rawPath, body string) {
		req, err := http.NewRequest(method, m.URL()+rawPath, strings.NewReader(body))
		if err != nil {
			t.Errorf("%s: %v", rawPath, err)
			return
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", method, rawPath, err)
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		mu.Lock()
		statuses[res.StatusCode]++
		if res.StatusCode == 500 {
			failedIDs = append(failedIDs, res.Header.Get("X-Request-Id"))
		}
		mu.Unlock()
	}
	escape := func(s string) string {
		if strings.Contains(s, "%") {
			return s // already URL-encoded
		}
		return url.PathEscape(s)
	}
	// Every route that takes a phone or a document, in every form, at once.
	round := func() {
		var wg sync.WaitGroup
		for _, f := range leakForms {
			wg.Go(func() {
				p := escape(f.in)
				do("POST", "/chat/api/"+p+"/messages", `{"text":"oi, sou `+f.in+`"}`)
				do("GET", "/chat/api/"+p+"/messages", "")
				do("GET", "/api/v1/debtors/"+p, "")
				do("GET", "/api/v1/debtors/"+p+"/statement", "")
				do("GET", "/api/v1/charges?debtor_external_id="+url.QueryEscape(f.in), "")
				do("POST", "/api/v1/debtors", `{"external_id":"`+f.in+`","name":"Pessoa","document":"`+f.in+`","phone":"`+f.in+`"}`)
			})
		}
		do("GET", "/readyz", "")
		wg.Wait()
	}

	round() // healthy, every request logged at debug level
	redisProxy.cut()
	round()
	redisProxy.restore()
	pgProxy.cut()
	round()
	pgProxy.restore()
	time.Sleep(200 * time.Millisecond)

	out := logs.String()
	if !strings.Contains(out, `"route":"POST /chat/api/{phone}/messages"`) || !strings.Contains(out, `"msg":"request failed"`) || statuses[500] == 0 {
		t.Fatalf("the failures were not injected (statuses %v); log:\n%.3000s", statuses, out)
	}
	for _, id := range failedIDs {
		if id == "" || !strings.Contains(out, `"request_id":"`+id+`"`) {
			t.Errorf("the 500 answered as request %q is not in the log", id)
		}
	}
	if strings.Contains(out, `"path":`) {
		t.Errorf("a log line names a request path; logs name the route and the request id")
	}
	if !strings.Contains(out, `"route":"GET /api/v1/debtors/{external_id}"`) {
		t.Fatalf("API failures under a PostgreSQL cut not logged; log:\n%.3000s", out)
	}
	runs := regexp.MustCompile(`[0-9][0-9 ().\-/%A-Fa-f]*`)
	for _, line := range strings.Split(out, "\n") {
		decoded := strings.NewReplacer("%2B", "+", "%20", " ", "%28", "(", "%29", ")", "%25", "%").Replace(line)
		for _, f := range leakForms {
			if strings.Contains(line, f.in) || strings.Contains(decoded, f.in) || strings.Contains(line, url.PathEscape(f.in)) ||
				strings.Contains(line, url.QueryEscape(f.in)) || strings.Contains(decoded, f.secret) {
				t.Errorf("log line holds %q: %s", f.in, line)
				continue
			}
			for _, run := range runs.FindAllString(decoded, -1) {
				digits := strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, run)
				if strings.Contains(digits, f.secret) {
					t.Errorf("log line holds %q (as %q): %s", f.in, run, line)
				}
			}
		}
	}
}
