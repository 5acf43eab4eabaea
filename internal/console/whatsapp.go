package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix"
)

// WhatsAppPairing is what the console needs of the WhatsApp channel (the
// same as the pairing API's): its state, pairing by QR code or phone
// code, and unlinking.
type WhatsAppPairing interface {
	WhatsAppStatus(ctx context.Context) (any, error)
	WhatsAppPair(ctx context.Context, phone string, show func(event, code string, valid time.Duration)) (string, error)
	WhatsAppLogout(ctx context.Context) error
}

// WhatsAppSettings is the admin's WhatsApp page: the number's state and
// health, pairing with the QR code drawn live, unlinking.
type WhatsAppSettings struct {
	Pairing WhatsAppPairing
	c       *Console
}

// NewWhatsAppSettings builds the WhatsApp settings section for c.
func (c *Console) NewWhatsAppSettings(p WhatsAppPairing) *WhatsAppSettings {
	return &WhatsAppSettings{Pairing: p, c: c}
}

// Title implements SettingsSection.
func (s *WhatsAppSettings) Title() string { return "WhatsApp: número, conexão e pareamento" }

// ServeSettings implements SettingsSection.
func (s *WhatsAppSettings) ServeSettings(w http.ResponseWriter, r *http.Request, actor string) {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/pair"):
		s.pair(w, r)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/logout"):
		if err := s.Pairing.WhatsAppLogout(r.Context()); err != nil {
			s.c.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/console/settings/whatsapp?ok="+urlQueryEscape("Número desvinculado."), http.StatusSeeOther)
	case r.Method == http.MethodGet:
		st, err := s.Pairing.WhatsAppStatus(r.Context())
		if err != nil {
			s.c.fail(w, r, err)
			return
		}
		b, _ := json.Marshal(st)
		var m map[string]any
		json.Unmarshal(b, &m)
		type kv struct{ K, V string }
		var rows []kv
		for k, v := range m {
			rows = append(rows, kv{k, fmt.Sprint(v)})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].K < rows[j].K })
		s.c.render(w, r, "whatsapp", http.StatusOK, map[string]any{"Title": "WhatsApp", "Status": rows, "Flash": r.URL.Query().Get("ok")})
	default:
		s.c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "página não encontrada"))
	}
}

// pair streams the pairing as server-sent events: "qr" with the QR code
// drawn as a PNG data URL (renewed as WhatsApp rotates it), "pairing_code"
// for the phone method, then "paired" or "error".
func (s *WhatsAppSettings) pair(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.c.fail(w, r, err)
		return
	}
	fl, ok := sseStart(w)
	if !ok {
		return
	}
	send := func(event string, data map[string]any) {
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		fl.Flush()
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Minute)
	defer cancel()
	number, err := s.Pairing.WhatsAppPair(ctx, strings.TrimSpace(r.PostFormValue("phone")), func(event, code string, valid time.Duration) {
		switch event {
		case "code":
			png, err := pix.QRPNG(code, 320)
			if err != nil {
				send("error", map[string]any{"error": "não foi possível desenhar o QR code"})
				return
			}
			send("qr", map[string]any{"png": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), "valid_seconds": int(valid.Seconds())})
		case "pairing_code":
			send("pairing_code", map[string]any{"code": code})
		}
	})
	if err != nil {
		send("error", map[string]any{"error": payments.ErrorMessage(err)})
		return
	}
	s.c.audit(r.Context(), userOf(r).Email, "whatsapp.pair", "", 0, nil)
	send("paired", map[string]any{"number": maskPhone(number)})
}
