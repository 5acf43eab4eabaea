package whatsapp

import (
	"context"
	"testing"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
)

// BenchmarkAcquire: one governor decision on PostgreSQL (the row lock
// round trips every send pays).
func BenchmarkAcquire(b *testing.B) {
	ch, _, _ := setupChannel(b, nil, testBudgets, time.Date(2026, 12, 1, 10, 0, 0, 0, saoPaulo))
	g := NewGovernor(ch.cfg.Pool, fastBudgets, saoPaulo, time.Now, nil)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.Acquire(ctx, "5511888000000", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTranslateRender: the pure path of a message in and a menu out.
func BenchmarkTranslateRender(b *testing.B) {
	evt := msg(phoneJID, phoneJID, text("quanto eu devo?"))
	r := bot.Reply{Text: "Como posso ajudar?", Options: []conversations.Option{{Key: "1", Label: "Ver saldo"}, {Key: "2", Label: "Pagar com Pix"}}}
	for b.Loop() {
		if up := Translate(evt); up.Kind != Message {
			b.Fatal(up.Kind)
		}
		if _, err := Render(r); err != nil {
			b.Fatal(err)
		}
	}
}
