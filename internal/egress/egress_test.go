package egress

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range f[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	dns := fakeResolver{
		"hooks.example.com.br": {"200.147.67.142", "2804:49c:3101:401::1"},
		"rebind.example":       {"8.8.8.8", "10.0.0.7"},
		"meta.example":         {"169.254.169.254"},
		"localhost":            {"127.0.0.1", "::1"},
	}
	for _, raw := range []string{"https://hooks.example.com.br/regua", "http://200.147.67.142:8080/x", "https://[2804:49c:3101:401::1]/"} {
		if err := CheckURL(context.Background(), dns, raw, false); err != nil {
			t.Errorf("%s refused: %v", raw, err)
		}
	}
	for _, raw := range []string{
		"http://127.0.0.1:9000/hook", "http://127.1.2.3/", "http://localhost:8080/", "http://[::1]/",
		"http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.0.10/",
		"http://169.254.169.254/latest/meta-data/", "http://meta.example/", "http://[fe80::1]/",
		"http://100.64.0.1/", "http://100.127.255.254/", "http://0.0.0.0:8080/", "http://[::]/",
		"http://[fd00::1]/", "http://[fc00::5]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
		"http://[64:ff9b::7f00:1]/", "http://[2002:a00:1::]/", "http://224.0.0.1/", "http://rebind.example/",
	} {
		err := CheckURL(context.Background(), dns, raw, false)
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", raw, err)
		}
		if err := CheckURL(context.Background(), dns, raw, true); err != nil {
			t.Errorf("%s with private allowed: %v", raw, err)
		}
	}
	for _, raw := range []string{"ftp://x", "hooks.example.com.br", "http://", "https://user:pw@hooks.example.com.br/", "http://nowhere.example/"} {
		if err := CheckURL(context.Background(), dns, raw, false); err == nil || errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want a plain refusal", raw, err)
		}
	}
}

// The delivery client checks the address it actually connects to: a name
// that passed registration and now resolves to loopback (DNS rebinding) is
// refused before any byte is sent, and so is a redirect's target.
func TestClientRefusesPrivateAtDialTime(t *testing.T) {
	t.Parallel()
	called := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called++
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	for _, u := range []string{srv.URL + "/hook", "http://localhost" + port + "/hook"} {
		_, err := Client(false, 5*time.Second).Post(u, "application/json", strings.NewReader("{}"))
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", u, err)
		}
	}
	if called != 0 {
		t.Fatalf("the loopback receiver was called %d times", called)
	}
	res, err := Client(true, 5*time.Second).Get(srv.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || called != 1 {
		t.Fatalf("redirect followed: %d, %d calls", res.StatusCode, called)
	}
}

func TestBlocked(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"8.8.8.8", "200.147.67.142", "2804:49c:3101:401::1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "11.0.0.1"} {
		if bad, what := Blocked(netip.MustParseAddr(s)); bad {
			t.Errorf("%s blocked as %s", s, what)
		}
	}
}
