package conversations

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// The corpus (testdata/corpus.txt) is how debtors really write. The test
// scores the recogniser on it and fails below the thresholds; run with -v
// to see the table per intent.
const (
	corpusMinOverall   = 0.95 // of all messages
	corpusMinPerIntent = 0.90 // of the messages of every intent
	corpusMinMessages  = 400
)

// corpusToday is the corpus' "today": Wednesday 18 November 2026.
var corpusToday = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

type corpusCase struct {
	line int
	text string
	want Intent
	// which slots the line states
	hasNumber, hasDate, hasDigits, hasBudget, hasDown bool
}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	return loadCorpusFile(t, "testdata/corpus.txt")
}

// loadCorpusFile reads a corpus in the format of testdata/corpus.txt.
func loadCorpusFile(t testing.TB, path string) []corpusCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		exp, text, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("corpus.txt:%d: no \" | \" separator", n)
		}
		fields := strings.Fields(exp)
		c := corpusCase{line: n, text: text, want: Intent{Kind: IntentKind(fields[0])}}
		if !c.want.Kind.Valid() {
			t.Fatalf("corpus.txt:%d: unknown intent %q", n, fields[0])
		}
		for _, kv := range fields[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("corpus.txt:%d: slot %q: want key=value", n, kv)
			}
			switch k {
			case "n":
				x, err := strconv.Atoi(v)
				if err != nil {
					t.Fatalf("corpus.txt:%d: n: %v", n, err)
				}
				c.want.Number, c.hasNumber = x, true
			case "date":
				c.hasDate = true
				if v != "-" {
					d, err := time.Parse(time.DateOnly, v)
					if err != nil {
						t.Fatalf("corpus.txt:%d: date: %v", n, err)
					}
					c.want.Date = d
				}
			case "digits":
				c.want.Digits, c.hasDigits = v, true
			case "budget", "down":
				r, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("corpus.txt:%d: %s: %v", n, k, err)
				}
				cents := payments.Cents(math.Round(r * 100))
				if k == "budget" {
					c.want.Budget, c.hasBudget = cents, true
				} else {
					c.want.Down, c.hasDown = cents, true
				}
			default:
				t.Fatalf("corpus.txt:%d: unknown slot %q", n, k)
			}
		}
		if c.want.Kind == IntentPromise && !c.hasDate {
			t.Fatalf("corpus.txt:%d: a promise must state date= (\"-\" for none)", n)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// understood reports whether got is what the line expects: the intent,
// and every slot the line states.
func (c corpusCase) understood(got Intent) bool {
	switch {
	case got.Kind != c.want.Kind:
		return false
	case c.hasNumber && got.Number != c.want.Number:
		return false
	case c.hasDate && !got.Date.Equal(c.want.Date):
		return false
	case c.hasDigits && got.Digits != c.want.Digits:
		return false
	case c.hasBudget && got.Budget != c.want.Budget:
		return false
	case c.hasDown && got.Down != c.want.Down:
		return false
	}
	return true
}

func formatCorpusIntent(in Intent) string {
	s := formatIntent(in)
	if in.Budget != 0 {
		s += " budget=" + in.Budget.String()
	}
	if in.Down != 0 {
		s += " down=" + in.Down.String()
	}
	return s
}

// TestCorpus scores the recogniser on the corpus and prints the rate per
// intent.
func TestCorpus(t *testing.T) {
	t.Parallel()
	cases := loadCorpus(t)
	if len(cases) < corpusMinMessages {
		t.Fatalf("the corpus has %d messages, want at least %d", len(cases), corpusMinMessages)
	}
	r := NewRecognizer()
	type score struct{ ok, all int }
	per := map[IntentKind]*score{}
	okAll := 0
	var misses []string
	for _, c := range cases {
		sc := per[c.want.Kind]
		if sc == nil {
			sc = &score{}
			per[c.want.Kind] = sc
		}
		sc.all++
		got := r.Recognize(c.text, corpusToday)
		if c.understood(got) {
			sc.ok++
			okAll++
			continue
		}
		misses = append(misses, fmt.Sprintf("corpus.txt:%d: %q → %s, want %s (normalised %q)",
			c.line, c.text, formatCorpusIntent(got), formatCorpusIntent(c.want), Normalize(c.text)))
	}
	kinds := make([]IntentKind, 0, len(per))
	for k := range per {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %5s %5s %7s\n", "intent", "ok", "all", "rate")
	for _, k := range kinds {
		sc := per[k]
		fmt.Fprintf(&b, "%-14s %5d %5d %6.1f%%\n", k, sc.ok, sc.all, 100*float64(sc.ok)/float64(sc.all))
	}
	overall := float64(okAll) / float64(len(cases))
	fmt.Fprintf(&b, "%-14s %5d %5d %6.1f%%\n", "overall", okAll, len(cases), 100*overall)
	t.Logf("understanding rate per intent:\n%s", b.String())
	for _, m := range misses {
		t.Log(m)
	}
	if overall < corpusMinOverall {
		t.Errorf("understood %.1f%% of the corpus, want at least %.0f%%", 100*overall, 100*corpusMinOverall)
	}
	for _, k := range kinds {
		sc := per[k]
		if rate := float64(sc.ok) / float64(sc.all); rate < corpusMinPerIntent {
			t.Errorf("intent %s: understood %.1f%% (%d of %d), want at least %.0f%%", k, 100*rate, sc.ok, sc.all, 100*corpusMinPerIntent)
		}
	}
}

// TestCorpusPrivacy plays every corpus message to a chat linked to a
// debtor who has not been verified, as the first message and as a later
// one, and checks that no reply discloses anything (checkStep: no name, no
// amount, no charge, no hint of a debt). Then, for every message in which
// someone says they are not the debtor, it plays the right digits after
// it: the third party must learn nothing and stay unverified.
func TestCorpusPrivacy(t *testing.T) {
	t.Parallel()
	eng := NewEngine()
	now := fxToday
	for _, who := range []string{"maria", "joao", "lucas", "none"} {
		f := fxFacts(who, now)
		for _, c := range loadCorpus(t) {
			where := fmt.Sprintf("corpus.txt:%d (%s)", c.line, who)
			ev := Event{Kind: EventText, Text: c.text, At: now}
			first := Session{Channel: "whatsapp", Chat: "+5511900000000"}
			s, acts := eng.Step(first, ev, f, now)
			checkStep(t, where, first, s, f, ev, acts, now)
			later := Session{Channel: "whatsapp", Chat: "+5511900000000", Started: true, State: StateVerify, LastSeen: now}
			if f.Debtor != nil {
				later.DebtorID = f.Debtor.ID
			}
			s2, acts := eng.Step(later, ev, f, now)
			checkStep(t, where, later, s2, f, ev, acts, now)
			if c.want.Kind != IntentThirdParty || f.Debtor == nil || s2.Status != StatusBot {
				continue
			}
			digits := Event{Kind: EventText, Text: f.Debtor.DocumentPrefix, At: now}
			s3, acts := eng.Step(s2, digits, f, now)
			checkStep(t, where+" then the right digits", s2, s3, f, digits, acts, now)
			if s3.Verified {
				t.Errorf("%s: a third party typed the right digits and was verified", where)
			}
			// The session lost (Redis flushed, or its TTL) and a new one
			// asking for the digits: the chat is still recorded as a third
			// party's.
			recorded := f
			recorded.ChatThirdParty = true
			fresh := Session{Channel: "whatsapp", Chat: "+5511900000000", Started: true, State: StateVerify,
				DebtorID: f.Debtor.ID, LastSeen: now}
			s4, acts := eng.Step(fresh, digits, recorded, now)
			checkStep(t, where+" then the right digits in a lost session", fresh, s4, recorded, digits, acts, now)
			if s4.Verified {
				t.Errorf("%s: after the session was lost, a recorded third party verified with the right digits", where)
			}
		}
	}
}

// TestCorpusExtra scores the recogniser on corpus files outside the
// repository, named by REGUA_CORPUS (a glob): fresh batches written blind,
// to measure how the recogniser does on messages it was not tuned on. It
// reports the rate and every miss; it does not fail, since such batches are
// a measurement, not a contract. Without REGUA_CORPUS it is skipped.
//
//	REGUA_CORPUS='/tmp/batch*.txt' go test ./conversations -run TestCorpusExtra -v
func TestCorpusExtra(t *testing.T) {
	glob := os.Getenv("REGUA_CORPUS")
	if glob == "" {
		t.Skip("REGUA_CORPUS names no corpus files")
	}
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		t.Fatalf("REGUA_CORPUS=%q matches no file (%v)", glob, err)
	}
	r := NewRecognizer()
	ok, all := 0, 0
	per := map[IntentKind][2]int{}
	for _, p := range paths {
		for _, c := range loadCorpusFile(t, p) {
			all++
			got := r.Recognize(c.text, corpusToday)
			s := per[c.want.Kind]
			s[1]++
			if c.understood(got) {
				ok++
				s[0]++
			} else {
				t.Logf("%s:%d: %q → %s, want %s (normalised %q)", filepath.Base(p), c.line, c.text,
					formatCorpusIntent(got), formatCorpusIntent(c.want), Normalize(c.text))
			}
			per[c.want.Kind] = s
		}
	}
	kinds := make([]IntentKind, 0, len(per))
	for k := range per {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "%-14s %4d/%-4d %6.1f%%\n", k, per[k][0], per[k][1], 100*float64(per[k][0])/float64(per[k][1]))
	}
	t.Logf("per intent:\n%s", b.String())
	t.Logf("understood %d of %d (%.1f%%)", ok, all, 100*float64(ok)/float64(all))
}
