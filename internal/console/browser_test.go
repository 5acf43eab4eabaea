package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/regua/regua/internal/console"
)

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: `make test` installs it (scripts/services.sh --with-browser)")
	return ""
}

// waitJS polls a JavaScript expression until it is true.
func waitJS(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			if err := chromedp.Evaluate("!!("+expr+")", &ok).Do(ctx); err != nil {
				return err
			}
			if ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// The whole takeover in a real headless Chromium: a console tab and a
// debtor's web chat tab side by side.
func TestTakeoverInChromium(t *testing.T) {
	e := setup(t)
	e.user(t, "sup@regua.test", console.RoleSupervisor)
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
	staff, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Run(staff); err != nil { // start the browser
		t.Fatal(err)
	}
	debtor, cancelD := chromedp.NewContext(staff) // a second tab
	defer cancelD()
	if err := chromedp.Run(debtor); err != nil { // open it (not under a step's timeout, whose end would close it)
		t.Fatal(err)
	}

	step := "start"
	fail := func(err error) {
		t.Helper()
		dir := os.Getenv("REGUA_SCREENSHOTS")
		if dir == "" {
			dir = os.TempDir()
		}
		for name, ctx := range map[string]context.Context{"console": staff, "webchat": debtor} {
			var shot []byte
			sctx, c := context.WithTimeout(ctx, 5*time.Second)
			var status string
			if chromedp.Run(sctx, chromedp.Evaluate(`(document.getElementById('async-status')||{}).innerText||''`, &status)) == nil && status != "" {
				t.Logf("%s page says: %s", name, status)
			}
			activate := chromedp.ActionFunc(func(ctx context.Context) error {
				return target.ActivateTarget(chromedp.FromContext(ctx).Target.TargetID).Do(ctx)
			})
			if err := chromedp.Run(sctx, activate, chromedp.CaptureScreenshot(&shot)); err != nil {
				t.Logf("screenshot of %s: %v", name, err)
			} else {
				p := filepath.Join(dir, "console-failure-"+name+".png")
				if os.WriteFile(p, shot, 0o644) == nil {
					t.Logf("screenshot: %s", p)
				}
			}
			c()
		}
		t.Fatalf("%s: %v", step, err)
	}
	run := func(ctx context.Context, name string, actions ...chromedp.Action) {
		t.Helper()
		step = name
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Run(sctx, actions...); err != nil {
			fail(err)
		}
	}
	say := func(text string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.SetValue("#text", text, chromedp.ByID), chromedp.Click("#send-btn", chromedp.ByID)}
	}
	lastChat := `(() => { const m = [...document.querySelectorAll('#log .msg, .msg')]; return m.length ? m[m.length-1] : null; })()`

	run(staff, "log in",
		chromedp.Navigate(e.url+"/console/"),
		chromedp.WaitVisible("#email", chromedp.ByID),
		chromedp.SendKeys("#email", "sup@regua.test", chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click("#login-btn", chromedp.ByID),
		chromedp.WaitVisible("#inbox-rows", chromedp.ByID),
		chromedp.Evaluate(`window.__noReload = 42`, nil),
		waitJS(`![...document.querySelectorAll('#inbox-rows tr.conv')].some(r => r.innerText.includes('Maria da Silva'))`),
	)
	run(debtor, "debtor asks for a person",
		chromedp.Navigate(e.url+"/chat"),
		chromedp.WaitVisible(`.person`, chromedp.ByQuery),
		chromedp.Click(`//div[contains(@class,"person")][.//b[text()="Maria da Silva"]]`, chromedp.BySearch),
		chromedp.WaitEnabled("#text", chromedp.ByID),
		say("oi"),
		waitJS(lastChat+`?.innerText.includes('CPF')`),
		say("123"),
		waitJS(lastChat+`?.innerText.includes('ajudar')`),
		say("quero falar com um atendente"),
		waitJS(lastChat+`?.classList.contains('out') && `+lastChat+`?.innerText.includes('nossa equipe')`),
	)
	var title string
	run(staff, "the inbox shows it without a reload",
		waitJS(`[...document.querySelectorAll('#inbox-rows tr.conv')].some(r => r.innerText.includes('Maria da Silva'))`),
		// The title counts the conversations waiting (the régua may have
		// handed others to staff meanwhile).
		waitJS(`(() => { const m = document.title.match(/^\((\d+)\) /); return m && +m[1] === document.querySelectorAll('#inbox-rows tr.conv .tag.warn').length; })()`),
		waitJS(`window.__noReload === 42`),
		chromedp.Title(&title),
		chromedp.Click(`//tr[contains(@class,"conv")][contains(., "Maria da Silva")]//a`, chromedp.BySearch),
		chromedp.WaitVisible("#claim-btn", chromedp.ByID),
		chromedp.Click("#claim-btn", chromedp.ByID),
		chromedp.WaitVisible("#reply-text", chromedp.ByID),
	)
	run(debtor, "the debtor writes; the bot stays silent",
		say("alguém aí?"),
		waitJS(lastChat+`?.innerText.includes('alguém aí?')`),
		chromedp.Sleep(1500*time.Millisecond),
		waitJS(lastChat+`?.innerText.includes('alguém aí?')`),
	)
	run(staff, "the console sees the message live, and replies",
		waitJS(`[...document.querySelectorAll('#transcript .msg.in')].some(m => m.innerText.includes('alguém aí?'))`),
		chromedp.SetValue("#reply-text", "Olá, Maria! Aqui é a equipe. Como posso ajudar?", chromedp.ByID),
		chromedp.Click("#reply-btn", chromedp.ByID),
		waitJS(`[...document.querySelectorAll('#transcript .msg.agent')].some(m => m.innerText.includes('Aqui é a equipe'))`),
	)
	run(debtor, "the debtor sees the reply",
		waitJS(`[...document.querySelectorAll('.msg.agent')].some(m => m.innerText.includes('Aqui é a equipe'))`),
	)
	run(staff, "a Pix quick action",
		chromedp.Click("#quick-pix-total", chromedp.ByID),
		waitJS(`[...document.querySelectorAll('#transcript .msg.agent code.pix')].some(c => c.innerText.startsWith('000201'))`),
	)
	run(debtor, "the debtor gets the Pix with its QR",
		waitJS(`[...document.querySelectorAll('.msg.agent .pix code')].some(c => c.innerText.startsWith('000201'))`),
		waitJS(`[...document.querySelectorAll('.msg.agent .pix img')].some(i => i.complete && i.naturalWidth > 100)`),
	)
	run(staff, "hand back",
		chromedp.Click("#release-btn", chromedp.ByID),
		chromedp.WaitVisible("#inbox-rows", chromedp.ByID),
	)
	run(debtor, "the bot answers again",
		say("saldo"),
		waitJS(lastChat+`?.classList.contains('out') && !`+lastChat+`?.classList.contains('agent') && `+lastChat+`?.innerText.includes('R$')`),
	)
	var bars int
	run(staff, "the KPI page draws its charts",
		chromedp.Navigate(e.url+"/console/kpis"),
		chromedp.WaitVisible("#recovered-chart", chromedp.ByID),
		chromedp.WaitVisible("#aging-chart", chromedp.ByID),
		chromedp.Evaluate(`document.querySelectorAll('#aging-chart rect.bar').length + document.querySelectorAll('#recovered-chart rect.bar').length`, &bars),
	)
	if bars < 5+30 {
		t.Fatalf("charts have %d bars", bars)
	}
	if !strings.HasPrefix(title, "(") {
		t.Fatalf("title %q does not count the waiting conversation", title)
	}
	// On a phone's width the console still works (no horizontal overflow).
	var overflow bool
	run(staff, "phone width",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.url+"/console/"),
		chromedp.WaitVisible("#inbox-rows", chromedp.ByID),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 2`, &overflow),
	)
	if overflow {
		fail(fmt.Errorf("the inbox overflows a phone's width"))
	}
}
