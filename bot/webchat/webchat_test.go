package webchat_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/regua/regua/bot/webchat"
	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/postgres/pgtest"
)

func start(t *testing.T) *app.Main {
	t.Helper()
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true",
		"REGUA_REGUA_EVERY": "off"} // these tests are not about reminders
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
	return m
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// The page and the picker's list say plainly that this is a demonstration.
func TestPagesSayDemonstration(t *testing.T) {
	t.Parallel()
	m := start(t)
	res, err := http.Get(m.URL() + "/chat")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), webchat.DemoNotice) {
		t.Fatal("the chat page does not carry the demonstration notice")
	}
	res, err = http.Get(m.URL() + "/chat/api/people")
	if err != nil {
		t.Fatal(err)
	}
	var people struct {
		Demo   bool   `json:"demo"`
		Notice string `json:"notice"`
	}
	json.NewDecoder(res.Body).Decode(&people)
	res.Body.Close()
	if !people.Demo || people.Notice != webchat.DemoNotice {
		t.Fatalf("the picker's list does not say demonstration: %+v", people)
	}
}

func TestChatAPIBadInput(t *testing.T) {
	t.Parallel()
	m := start(t)
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/chat/api/abc/messages", `{"text":"oi"}`, 422},
		{"/chat/api/%2B5511999000001/messages", `{"texto":"oi"}`, 400},
		{"/chat/api/%2B5511999000001/messages", `{"text":`, 400},
		{"/chat/api/%2B5511999000001/messages", `{"text":"x","media":"hologram"}`, 422},
	} {
		if code, out := post(t, m.URL()+tc.path, tc.body); code != tc.status || out["error"] == nil {
			t.Errorf("%s %s: %d %v", tc.path, tc.body, code, out)
		}
	}
	// A message over the size limit is refused with the limit, not a default.
	code, out := post(t, m.URL()+"/chat/api/%2B5511999000001/messages", `{"text":"`+strings.Repeat("b", 70000)+`"}`)
	if e, _ := out["error"].(map[string]any); code != 413 || e == nil || !strings.Contains(e["message"].(string), "66560") {
		t.Errorf("70 KB message: %d %v", code, e)
	}
	// Without a message id, the same text twice is two messages.
	for range 2 {
		if code, out := post(t, m.URL()+"/chat/api/%2B5511999000003/messages", `{"text":"oi"}`); code != 200 || len(out["replies"].([]any)) == 0 {
			t.Fatalf("without id: %d %v", code, out)
		}
	}
	// The same message id twice: answered once.
	code, out = post(t, m.URL()+"/chat/api/%2B5511999000001/messages", `{"text":"oi","message_id":"x1"}`)
	if code != 200 || len(out["replies"].([]any)) == 0 {
		t.Fatalf("first: %d %v", code, out)
	}
	code, out = post(t, m.URL()+"/chat/api/%2B5511999000001/messages", `{"text":"oi","message_id":"x1"}`)
	if code != 200 || out["duplicate"] != true {
		t.Fatalf("duplicate: %d %v", code, out)
	}
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	m := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", m.URL()+"/chat/api/%2B5511999000002/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	buf := make([]byte, 64)
	io.ReadAtLeast(res.Body, buf, len(": connected")) // subscribed
	go http.Post(m.URL()+"/chat/api/%2B5511999000002/messages", "application/json", strings.NewReader(`{"text":"oi"}`))
	var got strings.Builder
	for !strings.Contains(got.String(), "event: message") {
		n, err := res.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream ended: %v (%q)", err, got.String())
		}
		got.Write(buf[:n])
	}
}

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: `make test` installs it (scripts/services.sh --with-browser)")
	return ""
}

// A newcomer opens /chat, picks a debtor, verifies, and gets a Pix code
// with its QR image, in a real headless Chromium.
func TestChatPageInChromium(t *testing.T) {
	m := start(t)
	// Chromium may still be writing its profile as it exits: remove it
	// ourselves, best effort, rather than through t.TempDir.
	profile, err := os.MkdirTemp("", "regua-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { time.Sleep(200 * time.Millisecond); os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:0],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1200, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	lastBot := `(() => { const b = [...document.querySelectorAll('.msg.out')]; return b.length ? b[b.length-1].innerText : ''; })()`
	waitBot := func(contains string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			for {
				var txt string
				if err := chromedp.Evaluate(lastBot, &txt).Do(ctx); err != nil {
					return err
				}
				if strings.Contains(txt, contains) {
					return nil
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	say := func(text string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.SetValue("#text", text, chromedp.ByID), chromedp.Click("#send-btn", chromedp.ByID)}
	}
	var payload, qrSrc string
	var shot []byte
	err = chromedp.Run(ctx,
		chromedp.Navigate(m.URL()+"/chat"),
		chromedp.WaitVisible(`.person`, chromedp.ByQuery),
		chromedp.WaitVisible(`#demo-banner`, chromedp.ByID),
		chromedp.Click(`//div[contains(@class,"person")][.//b[text()="Juliana Costa"]]`, chromedp.BySearch),
		chromedp.WaitEnabled("#text", chromedp.ByID),
		say("oi"),
		waitBot("CPF"),
		say("205"),
		waitBot("Como posso ajudar"),
		chromedp.Click(`//div[contains(@class,"options")]/button[starts-with(text(),"2.")]`, chromedp.BySearch),
		chromedp.WaitVisible(`.pix img`, chromedp.ByQuery),
		chromedp.Text(`.pix code`, &payload, chromedp.ByQuery),
		chromedp.AttributeValue(`.pix img`, "src", &qrSrc, nil, chromedp.ByQuery),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(payload, "000201") || !strings.HasPrefix(qrSrc, "/pix/qr/") {
		t.Fatalf("pix payload %q, qr %q", payload, qrSrc)
	}
	var loaded bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('.pix img').naturalWidth > 100`, &loaded)); err != nil || !loaded {
		t.Fatalf("QR image did not load: %v", err)
	}
	if dir := os.Getenv("REGUA_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "webchat.png"), shot, 0o644)
	}
}
