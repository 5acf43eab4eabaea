package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/internal/console"
)

// fakePairing stands in for the WhatsApp channel (whose own tests speak to
// a fake WhatsApp server): a QR code that rotates once, then paired.
type fakePairing struct{ paired, loggedOut bool }

func (f *fakePairing) WhatsAppStatus(context.Context) (any, error) {
	st := map[string]any{"state": "unpaired", "usable": false}
	if f.paired {
		st = map[string]any{"state": "connected", "usable": true, "number": "+5511988887777"}
	}
	return st, nil
}

func (f *fakePairing) WhatsAppPair(ctx context.Context, phone string, show func(event, code string, valid time.Duration)) (string, error) {
	if phone != "" {
		show("pairing_code", "ABCD-1234", time.Minute)
	} else {
		show("code", "2@first-qr-text", 60*time.Second)
		show("code", "2@second-qr-text", 20*time.Second)
	}
	f.paired = true
	return "+5511988887777", nil
}

func (f *fakePairing) WhatsAppLogout(context.Context) error {
	f.loggedOut, f.paired = true, false
	return nil
}

func TestWhatsAppSettings(t *testing.T) {
	e := setup(t)
	e.user(t, "admin@regua.test", console.RoleAdmin)
	c := e.client(t)
	c.login("admin@regua.test")
	if res, _ := c.get("/console/settings/whatsapp"); res.StatusCode != 404 {
		t.Fatalf("without WhatsApp: %d", res.StatusCode)
	}
	fake := &fakePairing{}
	e.m.Console.WhatsApp = e.m.Console.NewWhatsAppSettings(fake)
	res, body := c.get("/console/settings/whatsapp")
	if res.StatusCode != 200 || !strings.Contains(body, "unpaired") {
		t.Fatalf("status page: %d", res.StatusCode)
	}
	if _, body := c.get("/console/settings"); !strings.Contains(body, "/console/settings/whatsapp") {
		t.Fatal("the settings page does not link WhatsApp")
	}
	res, body = c.post("/console/settings/whatsapp/pair", url.Values{})
	if res.StatusCode != 200 || strings.Count(body, "event: qr") != 2 || !strings.Contains(body, "data:image/png;base64,") || !strings.Contains(body, "event: paired") {
		t.Fatalf("pairing stream: %d %s", res.StatusCode, body)
	}
	res, body = c.post("/console/settings/whatsapp/pair", url.Values{"phone": {"5511988887777"}})
	if !strings.Contains(body, `"code":"ABCD-1234"`) {
		t.Fatalf("phone pairing: %s", body)
	}
	if _, body := c.get("/console/settings/whatsapp"); !strings.Contains(body, "connected") {
		t.Fatal("status after pairing")
	}
	if res, _ := c.post("/console/settings/whatsapp/logout", nil); res.StatusCode != 303 || !fake.loggedOut {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	e.user(t, "sup@regua.test", console.RoleSupervisor)
	s := e.client(t)
	s.login("sup@regua.test")
	if res, _ := s.post("/console/settings/whatsapp/pair", nil); res.StatusCode != 403 {
		t.Fatalf("supervisor pairs: %d", res.StatusCode)
	}
}
