package conversations

import (
	"testing"
)

// benchScript is a realistic run of a verified debtor with three charges:
// menus, balance, Pix, installments, a promise, a receipt, small talk and
// a misunderstanding. It never hands off, so it can loop.
var benchScript = []Event{
	textEvent("oi"),
	textEvent("1"),
	textEvent("1"),
	textEvent("quanto eu devo?"),
	textEvent("2"),
	textEvent("3"),
	textEvent("quero parcelar"),
	textEvent("4"),
	textEvent("não"),
	textEvent("dá pra fazer em 3x?"),
	textEvent("sim"),
	textEvent("pago na sexta"),
	textEvent("já paguei"),
	{Kind: EventMedia, MediaKind: "image"},
	textEvent("obrigado"),
	textEvent("blablabla"),
	textEvent("menu"),
	textEvent("manda o pix"),
	textEvent("tudo"),
	textEvent("tchau"),
}

// BenchmarkStep measures one step of benchScript on a verified session
// (recognising the text included). Target: ≤ 10 µs per step on one core.
func BenchmarkStep(b *testing.B) {
	eng, start, f := verified(b, "joao")
	s := start
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s, _ = eng.Step(s, benchScript[i], f, fxToday)
		if s.Status != StatusBot || !s.Verified {
			b.Fatalf("step %d left the bot: %+v", i, s)
		}
		i++
		if i == len(benchScript) {
			i = 0
		}
	}
}

// BenchmarkStepUnverified measures the answers to a stranger.
func BenchmarkStepUnverified(b *testing.B) {
	eng, start, f := setup(b, "maria")
	msgs := []Event{textEvent("oi"), textEvent("quanto devo?"), textEvent("hmm")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		eng.Step(start, msgs[i%len(msgs)], f, fxToday)
		i++
	}
}
