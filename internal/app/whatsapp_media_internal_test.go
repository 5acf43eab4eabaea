package app

import (
	"bytes"
	"context"
	"testing"

	"github.com/regua/regua/bot/whatsapp"
	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/payments"
)

// The console shows a receipt sent on WhatsApp from the file the channel
// kept; an unknown or malformed reference is a not-found.
func TestWhatsAppMediaForConsole(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\nrecibo")
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO whatsapp_media (chat, wa_id, kind, mimetype, file_name, data)
		VALUES ('+5511999000001', 'wa-1', 'image', 'image/png', 'recibo.png', $1) RETURNING id`, png).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m := whatsAppMedia{pool}
	ct, body, err := m.FetchMedia(ctx, whatsapp.MediaRef(id))
	if err != nil || ct != "image/png" || !bytes.Equal(body, png) {
		t.Fatalf("fetch: %q %q %v", ct, body, err)
	}
	for _, ref := range []string{whatsapp.MediaRef(id + 1000), "whatsapp-media:abc", "whatsapp-media:"} {
		if _, _, err := m.FetchMedia(ctx, ref); payments.ErrorCode(err) != payments.ENOTFOUND {
			t.Errorf("%q: %v, want not found", ref, err)
		}
	}
}
