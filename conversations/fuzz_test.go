package conversations

import (
	"testing"
	"time"
)

var fuzzStates = []string{
	StateNone, StateVerify, StateVerifyPerson, StateContact, StateUnlinked, StateMenu, StateBalance,
	StatePixChoice, StateBoleto, StateOfferChoice, StateOfferConfirm, StatePromiseDate, StateReceipt,
	StateFile, StatePerson, "no-such-state",
}

var fuzzStatuses = []string{"", StatusBot, StatusWaitingAgent, StatusWithAgent, StatusClosed, "bogus"}

var fuzzFixtures = []string{"none", "maria", "joao", "ana", "pedro", "padaria"}

var fuzzMedia = []string{"image", "document", "audio", "voice", "video", "sticker", ""}

// FuzzStep drives the engine with any text from any state and checks what
// must always hold: no panic, nothing disclosed before verification, a
// message back whenever the bot holds the chat, silence with an agent.
func FuzzStep(f *testing.F) {
	for _, s := range []string{
		"oi", "123", "1 2 3", "quanto devo?", "2", "dois", "opção 3", "pix", "tudo", "em 3x", "sim", "não",
		"pago dia 10", "sexta", "amanhã", "pago dia 20/11/2026", "já paguei", "não reconheço", "não sou eu",
		"SAIR", "VOLTAR", "atendente", "/start", "", "😀", "\xff\xfe", "a1b", "99", "0", "menu",
	} {
		f.Add(s, uint8(0), uint8(0), uint8(0), uint8(1), uint16(0))
		f.Add(s, uint8(5), uint8(0b111), uint8(0), uint8(2), uint16(45))
		f.Add(s, uint8(7), uint8(0b1), uint8(1), uint8(2), uint16(0))
	}
	f.Fuzz(func(t *testing.T, text string, state, flags, kind, fixture uint8, minutes uint16) {
		fx := fuzzFixtures[int(fixture)%len(fuzzFixtures)]
		now := fxToday.Add(time.Duration(minutes) * time.Minute)
		facts := fxFacts(fx, now)
		facts.KnownChat = flags&0b10000 != 0
		if facts.Debtor != nil {
			facts.Debtor.OptedOut = flags&0b100000 != 0
			facts.Debtor.WrongNumber = flags&0b1000000 != 0
		}
		s := Session{
			Channel:        []string{"whatsapp", "telegram", "webchat"}[int(kind>>4)%3],
			Chat:           "+5511900000000",
			State:          fuzzStates[int(state)%len(fuzzStates)],
			Status:         fuzzStatuses[int(state>>4)%len(fuzzStatuses)],
			Verified:       flags&0b1 != 0,
			Started:        flags&0b10 != 0,
			Locked:         flags&0b100 != 0,
			VerifyFailures: int(flags>>3) % 4,
			Misunderstood:  int(flags>>6) % 3,
			LastSeen:       fxToday,
		}
		if facts.Debtor != nil && flags&0b10000000 == 0 {
			s.DebtorID = facts.Debtor.ID
		}
		// Whatever the last menu held, valid or stale.
		s.ChargeChoices = []int64{201, 0, 999}
		s.OfferChoices = []string{"maria-3x", "joao-12x", "gone"}
		s.ChosenOffer = []string{"", "maria-avista", "joao-2x", "gone"}[int(kind)%4]

		var ev Event
		switch kind % 4 {
		case 0, 1:
			ev = Event{Kind: EventText, Text: text}
		case 2:
			ev = Event{Kind: EventMedia, MediaKind: fuzzMedia[int(kind>>2)%len(fuzzMedia)], Text: text}
		case 3:
			ev = Event{Kind: EventContact, Phone: text}
		}
		eng := NewEngine()
		after, acts := eng.Step(s, ev, facts, now)
		checkStep(t, "fuzz", s, after, facts, ev, acts, now)
		if s.Verified && !after.Verified && !s.Locked && facts.Debtor != nil && after.DebtorID == facts.Debtor.ID && s.DebtorID == facts.Debtor.ID &&
			!facts.Debtor.WrongNumber && (s.Status == "" || s.Status == StatusBot) {
			// Verification is only lost with the link.
			t.Errorf("verification dropped: %+v → %+v", s, after)
		}
	})
}
