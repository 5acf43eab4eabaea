package conversations

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// setup returns an engine and a session on the given fixture's chat, as it
// is right after the verification question was asked.
func setup(t testing.TB, fixture string) (*Engine, Session, Facts) {
	t.Helper()
	eng := NewEngine()
	f := fxFacts(fixture, fxToday)
	s, _ := eng.Step(Session{Channel: "whatsapp", Chat: "+5511900000000"}, textEvent("oi"), f, fxToday)
	if fixture != "none" && s.State != StateVerify {
		t.Fatalf("after oi: state %q, want %q", s.State, StateVerify)
	}
	return eng, s, f
}

func textEvent(s string) Event { return Event{Kind: EventText, Text: s} }

// verified returns a session already verified, at the main menu.
func verified(t testing.TB, fixture string) (*Engine, Session, Facts) {
	t.Helper()
	eng, s, f := setup(t, fixture)
	s, _ = eng.Step(s, textEvent(documentPrefix(f.Debtor.DocumentPrefix)), f, fxToday)
	if !s.Verified {
		t.Fatalf("%s did not verify", fixture)
	}
	return eng, s, f
}

func kinds(acts []Action) []ActionKind {
	var k []ActionKind
	for _, a := range acts {
		k = append(k, a.Kind)
	}
	return k
}

func lastText(acts []Action) string {
	if len(acts) == 0 {
		return ""
	}
	return acts[len(acts)-1].Text
}

func TestVerificationAnswerForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		answer string
		want   string // "ok", "wrong" (an attempt that failed), "none" (not an attempt)
	}{
		{"123", "123", "ok"},
		{"123", "123.", "ok"},
		{"123", "1 2 3", "ok"},
		{"123", "123.456", "ok"},
		{"123", "123.456.789-09", "ok"},
		{"123", "  123  ", "ok"},
		{"123", "meu cpf é 123", "ok"},
		{"123", "os primeiros são 123", "ok"},
		{"123", "12345678909", "ok"},
		{"123", "124", "wrong"},
		{"123", "321.456", "wrong"},
		{"123", "1 2 4", "wrong"},
		{"123", "12", "none"},
		{"123", "1", "none"},
		{"123", "oi", "none"},
		{"123", "não sei", "none"},
		{"123", "tenho 2 filhos e 1 cachorro", "none"},
		{"987.654", "987", "ok"},
		{"987.654", "987.654", "ok"},
		// The alphanumeric CNPJ (2026) may start with letters.
		{"A1B", "a1b", "ok"},
		{"A1B", "A1B", "ok"},
		{"A1B", "A1.B23.456/0001-00", "ok"},
		{"A1B", "A1B2C3D4000105", "ok"},
		{"a1b", "A1B", "ok"},
		{"A1B", "AB1", "wrong"},
		{"A1B", "abc", "none"},
		{"A1B", "oi tudo bem", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"/"+tt.answer, func(t *testing.T) {
			t.Parallel()
			eng, s, f := setup(t, "maria")
			f.Debtor.DocumentPrefix = tt.prefix
			got, acts := eng.Step(s, textEvent(tt.answer), f, fxToday)
			var outcome string
			switch {
			case got.Verified:
				outcome = "ok"
			case got.VerifyFailures == 1:
				outcome = "wrong"
			case got.VerifyFailures == 0:
				outcome = "none"
			default:
				outcome = "failures=" + strconv.Itoa(got.VerifyFailures)
			}
			if outcome != tt.want {
				t.Errorf("answer %q to prefix %q: %s, want %s (reply %q)", tt.answer, tt.prefix, outcome, tt.want, lastText(acts))
			}
		})
	}
}

func TestVerificationWithoutPrefix(t *testing.T) {
	t.Parallel()
	eng, s, f := setup(t, "maria")
	f.Debtor.DocumentPrefix = ""
	for range 5 {
		s, _ = eng.Step(s, textEvent("123"), f, fxToday)
	}
	if s.Verified || s.VerifyFailures != 0 || s.Locked {
		t.Fatalf("no prefix: verified=%v failures=%d locked=%v; want nothing accepted and nothing counted", s.Verified, s.VerifyFailures, s.Locked)
	}
	s, acts := eng.Step(s, textEvent("1"), f, fxToday)
	if !slices.Contains(kinds(acts), ActHandoff) {
		t.Fatalf("1 after the person offer: %v, want a handoff", kinds(acts))
	}
}

func TestVerificationLock(t *testing.T) {
	t.Parallel()
	eng, s, f := setup(t, "maria")
	var acts []Action
	for i, a := range []string{"111", "222", "333"} {
		s, acts = eng.Step(s, textEvent(a), f, fxToday)
		if s.VerifyFailures != i+1 {
			t.Fatalf("after %s: failures %d", a, s.VerifyFailures)
		}
	}
	if !s.Locked || !slices.Contains(kinds(acts), ActAlertStaff) {
		t.Fatalf("three wrong answers: locked=%v actions=%v", s.Locked, kinds(acts))
	}
	// The right answer no longer helps, in this session or a relinked one.
	s, _ = eng.Step(s, textEvent("123"), f, fxToday)
	if s.Verified {
		t.Fatal("verified after the lock")
	}
	// A session that says verified and locked is treated as locked.
	s.Verified = true
	s, acts = eng.Step(s, textEvent("quanto devo"), f, fxToday)
	if s.Verified || strings.Contains(lastText(acts), "R$") {
		t.Fatalf("locked session disclosed: %q", lastText(acts))
	}
}

// A chat relinked to someone else (a new shared contact, a new owner of the
// number) must verify again.
func TestRelinkForgetsVerification(t *testing.T) {
	t.Parallel()
	eng, s, _ := verified(t, "maria")
	joao := fxFacts("joao", fxToday)
	s, acts := eng.Step(s, textEvent("1"), joao, fxToday)
	if s.Verified || s.DebtorID != joao.Debtor.ID || s.State != StateVerify {
		t.Fatalf("relinked: verified=%v debtor=%d state=%q", s.Verified, s.DebtorID, s.State)
	}
	if strings.Contains(lastText(acts), "R$") {
		t.Fatalf("relinked chat disclosed: %q", lastText(acts))
	}
	none := fxFacts("none", fxToday)
	s, _ = eng.Step(s, textEvent("1"), none, fxToday)
	if s.DebtorID != 0 || s.Verified {
		t.Fatalf("unlinked: debtor=%d verified=%v", s.DebtorID, s.Verified)
	}
}

func TestMainMenuNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want ActionKind
		st   string
	}{
		{"1", ActReply, StateBalance},
		{"um", ActReply, StateBalance},
		{"opção 1", ActReply, StateBalance},
		{"2", ActSendPix, StateNone},
		{"dois", ActSendPix, StateNone},
		{"quero a 2", ActSendPix, StateNone},
		{"3", ActReply, StateOfferChoice},
		{"três", ActReply, StateOfferChoice},
		{"4", ActReply, StateReceipt},
		{"5", ActHandoff, StateNone},
		{"cinco", ActHandoff, StateNone},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			eng, s, f := verified(t, "maria")
			got, acts := eng.Step(s, textEvent(tt.text), f, fxToday)
			if len(acts) == 0 || acts[0].Kind != tt.want || got.State != tt.st {
				t.Fatalf("%q: actions %v state %q; want %s first and state %q", tt.text, kinds(acts), got.State, tt.want, tt.st)
			}
		})
	}
}

// A number means what the menu the debtor saw showed, not what the facts
// say now.
func TestNumbersMapToWhatWasShown(t *testing.T) {
	t.Parallel()
	eng, s, f := verified(t, "joao")
	s, _ = eng.Step(s, textEvent("pix"), f, fxToday)
	if want := []int64{201, 202, 203, 0}; !slices.Equal(s.ChargeChoices, want) {
		t.Fatalf("charge choices %v, want %v", s.ChargeChoices, want)
	}
	// Charge 201 is paid before the debtor answers: "3" is still 203.
	paid := f
	paid.Charges = f.Charges[1:]
	paid.Total = paid.Charges[0].Total + paid.Charges[1].Total
	got, acts := eng.Step(s, textEvent("3"), paid, fxToday)
	if len(acts) != 1 || acts[0].Kind != ActSendPix || acts[0].ChargeID != 203 {
		t.Fatalf("3 after 201 was paid: %+v, want the Pix of 203", acts)
	}
	if got.ChargeChoices != nil || got.State != StateNone {
		t.Fatalf("choices not cleared: %v %q", got.ChargeChoices, got.State)
	}
	// "1" was 201, now paid: the menu is shown again, without it.
	got, acts = eng.Step(s, textEvent("1"), paid, fxToday)
	if len(acts) != 1 || acts[0].Kind != ActReply || !strings.HasPrefix(acts[0].Text, txtPixGone) {
		t.Fatalf("1 after 201 was paid: %+v", acts)
	}
	if want := []int64{202, 203, 0}; !slices.Equal(got.ChargeChoices, want) {
		t.Fatalf("new choices %v, want %v", got.ChargeChoices, want)
	}
	// The last option is the total.
	_, acts = eng.Step(s, textEvent("4"), f, fxToday)
	if len(acts) != 1 || acts[0].ChargeID != 0 || !strings.Contains(acts[0].Text, f.Total.String()) {
		t.Fatalf("4: %+v, want the Pix of the total %s", acts, f.Total)
	}

	// Offers: the id shown is the id accepted, even if the list changes.
	s, _ = eng.Step(s, textEvent("quero parcelar"), f, fxToday)
	if s.State != StateOfferChoice || len(s.OfferChoices) != 7 || s.OfferChoices[2] != "joao-3x" {
		t.Fatalf("offer choices %v", s.OfferChoices)
	}
	fewer := f
	fewer.Offers = slices.Clone(f.Offers[2:]) // cash and 2x gone
	s, _ = eng.Step(s, textEvent("3"), fewer, fxToday)
	if s.ChosenOffer != "joao-3x" {
		t.Fatalf("chosen %q, want joao-3x", s.ChosenOffer)
	}
	_, acts = eng.Step(s, textEvent("sim"), fewer, fxToday)
	if len(acts) != 1 || acts[0].Kind != ActAcceptOffer || acts[0].OfferID != "joao-3x" {
		t.Fatalf("accept: %+v", acts)
	}
	// The offer expired (a new day, new ids): the new offers are shown.
	tomorrow := fxToday.Add(24 * time.Hour)
	stale := fxFacts("joao", fxToday)
	if _, acts = eng.Step(s, textEvent("sim"), stale, tomorrow); len(acts) != 1 || acts[0].Kind != ActReply || acts[0].Text != txtNoOffers {
		t.Fatalf("only expired offers: %+v", acts)
	}
	fresh := fxFacts("joao", tomorrow)
	for i := range fresh.Offers {
		fresh.Offers[i].ID += "-d2"
	}
	got, acts = eng.Step(s, textEvent("sim"), fresh, tomorrow)
	if len(acts) != 1 || acts[0].Kind != ActReply || !strings.HasPrefix(acts[0].Text, txtOffersChanged) || got.State != StateOfferChoice {
		t.Fatalf("expired offer accepted: %+v", acts)
	}
}

func TestShownOffers(t *testing.T) {
	t.Parallel()
	counts := func(max int) []int {
		var out []int
		for _, o := range shownOffers(fxOffers("x", 500000, 0, 0, max, fxToday)) {
			out = append(out, o.Count)
		}
		return out
	}
	tests := []struct {
		max  int
		want []int
	}{
		{1, []int{1}},
		{2, []int{1, 2}},
		{7, []int{1, 2, 3, 4, 5, 6, 7}},
		{8, []int{1, 2, 3, 4, 5, 6, 8}},
		{12, []int{1, 2, 3, 4, 6, 10, 12}},
		{24, []int{1, 2, 3, 4, 6, 10, 24}},
	}
	for _, tt := range tests {
		if got := counts(tt.max); !slices.Equal(got, tt.want) {
			t.Errorf("up to %dx: shown %v, want %v", tt.max, got, tt.want)
		}
	}
}

// Offers given lazily are quoted only by a turn that shows them, once, and
// shown as if they had been given.
func TestLazyOffers(t *testing.T) {
	t.Parallel()
	eng, s, f := verified(t, "maria")
	eager := f.Offers
	calls := 0
	f.Offers = nil
	f.LoadOffers = func() []payments.Offer { calls++; return eager }

	for _, text := range []string{"menu", "quanto devo?", "obrigado"} {
		s, _ = eng.Step(s, textEvent(text), f, fxToday)
	}
	if calls != 0 {
		t.Fatalf("offers quoted %d times by turns that show none", calls)
	}
	_, lazy := eng.Step(s, textEvent("quero parcelar"), f, fxToday)
	if calls != 1 {
		t.Fatalf("offers quoted %d times for one offer menu", calls)
	}
	f.Offers, f.LoadOffers = eager, nil
	_, given := eng.Step(s, textEvent("quero parcelar"), f, fxToday)
	if !reflect.DeepEqual(lazy, given) || !strings.Contains(lastText(lazy)+optionLabels(lazy), "12x") {
		t.Fatalf("lazy offers shown as\n%+v\ngiven offers as\n%+v", lazy, given)
	}
}

func optionLabels(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		for _, o := range a.Options {
			b.WriteString(o.Label + "\n")
		}
	}
	return b.String()
}

func TestMisunderstandingCounter(t *testing.T) {
	t.Parallel()
	type step struct {
		text  string
		count int
		state string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"twice offers a person", []step{
			{"asdf", 1, StateMenu}, {"qwer", 2, StatePerson}, {"zxcv", 3, StatePerson},
		}},
		{"understood resets", []step{
			{"asdf", 1, StateMenu}, {"1", 0, StateBalance}, {"qwer", 1, StateBalance},
			{"menu", 0, StateMenu}, {"zxcv", 1, StateMenu},
		}},
		{"number not shown is not understood", []step{
			{"9", 1, StateMenu}, {"0", 0, StateMenu}, {"7", 1, StateMenu}, {"8", 2, StatePerson},
		}},
		{"empty and emoji count", []step{
			{"", 1, StateMenu}, {"😀", 2, StatePerson},
		}},
		{"small talk is understood", []step{
			{"asdf", 1, StateMenu}, {"obrigado", 0, StateMenu}, {"asdf", 1, StateMenu},
		}},
		{"the person menu leads back", []step{
			{"asdf", 1, StateMenu}, {"qwer", 2, StatePerson}, {"2", 0, StateMenu},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eng, s, f := verified(t, "maria")
			for _, st := range tt.steps {
				var acts []Action
				s, acts = eng.Step(s, textEvent(st.text), f, fxToday)
				if s.Misunderstood != st.count || s.State != st.state {
					t.Fatalf("%q: misunderstood=%d state=%q, want %d %q", st.text, s.Misunderstood, s.State, st.count, st.state)
				}
				if len(acts) == 0 {
					t.Fatalf("%q: silence", st.text)
				}
				if st.state == StatePerson && !slices.ContainsFunc(acts[len(acts)-1].Options, func(o Option) bool { return o.Label == lblPerson }) {
					t.Fatalf("%q: no person offered: %+v", st.text, acts)
				}
			}
		})
	}
}

func TestWaitingAgentAcknowledgesOncePerHalfHour(t *testing.T) {
	t.Parallel()
	eng, s, f := verified(t, "maria")
	s, acts := eng.Step(s, textEvent("quero falar com uma pessoa"), f, fxToday)
	if s.Status != StatusWaitingAgent || !slices.Contains(kinds(acts), ActHandoff) {
		t.Fatalf("handoff: status %q actions %v", s.Status, kinds(acts))
	}
	at := fxToday
	for _, tt := range []struct {
		after time.Duration
		ack   bool
	}{
		{time.Minute, false},
		{29 * time.Minute, false},
		{30 * time.Minute, true},
		{10 * time.Second, false},
		{2 * time.Hour, true},
	} {
		at = at.Add(tt.after)
		s, acts = eng.Step(s, textEvent("oi?"), f, at)
		if got := len(acts) == 1 && acts[0].Text == txtWaitingAck; got != tt.ack || !tt.ack && len(acts) != 0 {
			t.Fatalf("after %v: %+v, want ack=%v", tt.after, acts, tt.ack)
		}
		if !s.LastSeen.Equal(at) {
			t.Fatalf("LastSeen %v, want %v", s.LastSeen, at)
		}
	}
	s.Status = StatusWithAgent
	for _, txt := range []string{"oi", "quanto devo", "5", "[media]"} {
		if _, acts := eng.Step(s, textEvent(txt), f, at.Add(time.Hour)); len(acts) != 0 {
			t.Fatalf("with an agent %q got %v", txt, kinds(acts))
		}
	}
	if _, acts := eng.Step(s, Event{Kind: EventMedia, MediaKind: "image"}, f, at.Add(time.Hour)); len(acts) != 0 {
		t.Fatalf("with an agent a photo got %v", kinds(acts))
	}
	_, acts = eng.Step(s, textEvent("PARAR"), f, at)
	if !slices.Equal(kinds(acts), []ActionKind{ActOptOut, ActReply}) {
		t.Fatalf("opt-out with an agent: %v", kinds(acts))
	}
}

func TestPromiseDates(t *testing.T) {
	t.Parallel()
	// fxToday is Monday 23/11/2026.
	tests := []struct {
		text string
		want string // promised date, or the state the bot waits in
	}{
		{"pago dia 10", "2026-12-10"},
		{"pago hoje", "2026-11-23"},
		{"amanhã", "2026-11-24"},
		{"sexta", "2026-11-27"},
		{"pago dia 23/12", "2026-12-23"},          // 30 days: the limit
		{"pago dia 24/12", StatePromiseDate},      // 31 days
		{"pago dia 20/11/2026", StatePromiseDate}, // past
		{"vou pagar", StatePromiseDate},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			eng, s, f := verified(t, "maria")
			got, acts := eng.Step(s, textEvent(tt.text), f, fxToday)
			var out string
			if i := slices.IndexFunc(acts, func(a Action) bool { return a.Kind == ActPromise }); i >= 0 {
				out = acts[i].Date.Format(time.DateOnly)
			} else {
				out = got.State
			}
			if out != tt.want {
				t.Fatalf("%q: %s, want %s (%q)", tt.text, out, tt.want, lastText(acts))
			}
		})
	}
}

func TestNextDayOfMonth(t *testing.T) {
	t.Parallel()
	d := payments.CivilDate
	tests := []struct {
		today time.Time
		day   int
		want  time.Time
	}{
		{d(2026, 11, 23), 23, d(2026, 11, 23)},
		{d(2026, 11, 23), 30, d(2026, 11, 30)},
		{d(2026, 11, 23), 31, d(2026, 12, 31)},
		{d(2026, 11, 23), 10, d(2026, 12, 10)},
		{d(2026, 12, 31), 5, d(2027, 1, 5)},
		{d(2027, 1, 31), 30, d(2027, 3, 30)},
	}
	for _, tt := range tests {
		if got := nextDayOfMonth(tt.today, tt.day); !got.Equal(tt.want) {
			t.Errorf("day %d from %s: %s, want %s", tt.day, fmtDate(tt.today), fmtDate(got), fmtDate(tt.want))
		}
	}
}

// Step must not write through the slices it was given: the service may
// keep the old session and the facts.
func TestStepDoesNotMutateInputs(t *testing.T) {
	t.Parallel()
	eng, s, f := verified(t, "joao")
	s, _ = eng.Step(s, textEvent("pix"), f, fxToday)
	before := s
	before.ChargeChoices = slices.Clone(s.ChargeChoices)
	fBefore := fxFacts("joao", fxToday)
	// Functions compare equal only when nil: compare the data.
	data := func(f Facts) Facts { f.LoadOffers, f.LoadDownOffers = nil, nil; return f }
	for _, txt := range []string{"1", "parcelar", "3", "não", "tudo", "em 3x", "sim", "entrada de 300", "2"} {
		eng.Step(s, textEvent(txt), f, fxToday)
		if !reflect.DeepEqual(s, before) {
			t.Fatalf("%q changed the input session", txt)
		}
		if !reflect.DeepEqual(data(f), data(fBefore)) {
			t.Fatalf("%q changed the facts", txt)
		}
	}
}

func TestStepIsDeterministic(t *testing.T) {
	t.Parallel()
	eng, s, f := verified(t, "maria")
	for _, txt := range []string{"1", "2", "parcelar", "pago sexta", "blá"} {
		s1, a1 := eng.Step(s, textEvent(txt), f, fxToday)
		s2, a2 := Step(s, textEvent(txt), f, fxToday)
		if !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(a1, a2) {
			t.Fatalf("%q: two runs differ", txt)
		}
	}
}

// The package stays pure: no I/O, no clock, no randomness.
func TestPackageStaysPure(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"net", "os", "io/fs", "database", "syscall", "math/rand", "crypto/rand", "log", "unsafe", "plugin", "runtime/cgo"}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			switch {
			case path == "github.com/regua/regua/payments", strings.HasPrefix(path, "golang.org/x/text/"):
			case strings.Contains(first, "."):
				t.Errorf("%s imports %s: only the standard library, golang.org/x/text and payments", name, path)
			}
			for _, bad := range forbidden {
				if path == bad || strings.HasPrefix(path, bad+"/") {
					t.Errorf("%s imports %s: the engine does no I/O", name, path)
				}
			}
		}
		for _, call := range []string{"time.Now(", "time.Since(", "time.Until(", "time.Sleep(", "time.After(", "time.Tick("} {
			if strings.Contains(string(src), call) {
				t.Errorf("%s calls %s: now is an argument", name, call)
			}
		}
	}
}

// Only the accessors read the amounts, so that no flow can use amounts the
// service left pending (Facts.AmountsPending) without asking for them.
func TestAmountsReadOnlyThroughAccessors(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			for _, field := range []string{"t.f.Charges", "t.f.Total", "t.f.Credit"} { // (Offers: liveOffers)
				if strings.Contains(line, field) && !strings.Contains(line, "touchAmounts") {
					t.Errorf("%s:%d reads %s directly: use the accessor", file, i+1, field)
				}
			}
		}
	}
}

// "Vou ser negativado?" is answered from the business's setting, neutrally.
func TestNegativationFromSettings(t *testing.T) {
	t.Parallel()
	eng, s, f := verified(t, "maria")
	f.BureauAfterDays = 60
	_, acts := eng.Step(s, textEvent("vou ser negativado?"), f, fxToday)
	if len(acts) != 1 || !strings.Contains(acts[0].Text, "mais de 60 dias em atraso") || !strings.Contains(acts[0].Text, "aviso antes") {
		t.Fatalf("%+v", acts)
	}
	f.BureauAfterDays = 0
	_, acts = eng.Step(s, textEvent("vai pro serasa?"), f, fxToday)
	if len(acts) != 1 || !strings.Contains(acts[0].Text, "uma pessoa da nossa equipe pode te explicar") {
		t.Fatalf("%+v", acts)
	}
}
