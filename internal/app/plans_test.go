package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/jobs"
	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

// movingClock is a clock a test can move forward.
type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movingClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// startAt is start with a clock the test controls (demo mode).
func startAt(t *testing.T, clk *movingClock) *service {
	t.Helper()
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true",
		"REGUA_REGUA_EVERY": "off"} // these tests are not about reminders
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	key, err := httpapi.CreateAPIKey(context.Background(), m.Pool, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &service{Main: m, key: key}
}

// checkBooks: every ledger transaction balances, and so the whole ledger.
func (s *service) checkBooks(t *testing.T) {
	t.Helper()
	s.checkLedgerBalanced(t)
	if n := s.count(t, "SELECT coalesce(sum(amount), 0)::int FROM ledger_postings"); n != 0 {
		t.Fatalf("ledger sums to %d", n)
	}
}

type offersBody struct {
	Offers []struct {
		ID           string `json:"id"`
		Kind         string `json:"kind"`
		Count        int    `json:"count"`
		Total        string `json:"total"`
		Discount     string `json:"discount"`
		Installments []struct {
			Number  int    `json:"number"`
			DueDate string `json:"due_date"`
			Amount  string `json:"amount"`
		} `json:"installments"`
	} `json:"offers"`
}

func (s *service) offers(t *testing.T, debtor string) offersBody {
	t.Helper()
	r := s.do(t, "GET", "/api/v1/debtors/"+debtor+"/offers", "")
	if r.status != 200 {
		t.Fatalf("offers for %s: %d %s", debtor, r.status, r.raw)
	}
	var b offersBody
	if err := json.Unmarshal([]byte(r.raw), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b offersBody) id(t *testing.T, kind string, count int) string {
	t.Helper()
	for _, o := range b.Offers {
		if o.Kind == kind && o.Count == count {
			return o.ID
		}
	}
	t.Fatalf("no %s offer of %d", kind, count)
	return ""
}

type planBody struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	Principal    string `json:"principal"`
	Fees         string `json:"fees"`
	Total        string `json:"total"`
	Installments []struct {
		Number  int    `json:"number"`
		DueDate string `json:"due_date"`
		Amount  string `json:"amount"`
		Status  string `json:"status"`
	} `json:"installments"`
}

func (s *service) accept(t *testing.T, debtor, offerID string) (int, planBody) {
	t.Helper()
	r := s.do(t, "POST", "/api/v1/debtors/"+debtor+"/plans", `{"offer_id":"`+offerID+`"}`)
	var p planBody
	json.Unmarshal([]byte(r.raw), &p)
	return r.status, p
}

func (s *service) plan(t *testing.T, id int64) planBody {
	t.Helper()
	r := s.do(t, "GET", fmt.Sprintf("/api/v1/plans/%d", id), "")
	if r.status != 200 {
		t.Fatalf("plan %d: %d %s", id, r.status, r.raw)
	}
	var p planBody
	json.Unmarshal([]byte(r.raw), &p)
	return p
}

func cents(t *testing.T, s string) payments.Cents {
	t.Helper()
	c, err := payments.ParseCents(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPolicyAPI(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	r := s.do(t, "GET", "/api/v1/policy", "")
	if r.status != 200 || r.body["version"] != 0.0 || r.body["max_installments"] != 12.0 || r.body["min_installment"] != "50.00" {
		t.Fatalf("default policy: %d %s", r.status, r.raw)
	}
	before := s.do(t, "GET", "/api/v1/debtors/cli-007/offers", "").raw

	bad := []struct {
		name, body, field string
		status            int
	}{
		{"fine above 2% for consumer debt", `{"late_fees":{"fine_bp":300,"interest_monthly_bp":100}}`, "late_fees.fine_bp", 422},
		{"negative late interest", `{"late_fees":{"fine_bp":200,"interest_monthly_bp":-5}}`, "late_fees.interest_monthly_bp", 422},
		{"negative plan rate", `{"plan_monthly_rate_bp":-1}`, "plan_monthly_rate_bp", 422},
		{"zero installments", `{"max_installments":0}`, "max_installments", 422},
		{"min installment above the debt of a tier", `{"min_installment":"300.00","installment_tiers":[{"min_debt":"200.00","min_days_overdue":0,"max_installments":6}]}`, "min_installment", 422},
		{"unknown setting", `{"max_parcelas":3}`, "max_parcelas", 400},
		{"wrong type", `{"max_installments":"doze"}`, "max_installments", 400},
	}
	for _, tc := range bad {
		r := s.do(t, "PUT", "/api/v1/policy", tc.body)
		if r.status != tc.status || errField(r) != tc.field {
			t.Errorf("%s: %d field %q: %s", tc.name, r.status, errField(r), r.raw)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM policies"); n != 0 {
		t.Fatalf("bad policies saved: %d", n)
	}

	// 1% fine, 0.5% a month, interest-free plans of up to 3.
	r = s.do(t, "PUT", "/api/v1/policy", `{"late_fees":{"fine_bp":100,"interest_monthly_bp":50},"plan_monthly_rate_bp":0,"max_installments":3}`)
	if r.status != 200 || r.body["version"] != 1.0 || r.body["min_installment"] != "50.00" {
		t.Fatalf("save: %d %s", r.status, r.raw)
	}
	if r = s.do(t, "GET", "/api/v1/policy", ""); r.body["version"] != 1.0 || r.body["max_installments"] != 3.0 {
		t.Fatalf("after save: %s", r.raw)
	}
	if n := s.count(t, "SELECT count(*) FROM audit_log WHERE action = 'policy.save' AND actor = 'api:test'"); n != 1 {
		t.Fatalf("%d audit rows", n)
	}
	// The late charges follow: 890.00 10 days late = 8.90 fine + 1.48 interest.
	if st := s.do(t, "GET", "/api/v1/debtors/cli-005/statement", ""); st.body["balance"] != "900.38" {
		t.Fatalf("statement under the saved policy: %s", st.raw)
	}
	// And so do the offers.
	after := s.offers(t, "cli-007")
	if len(after.Offers) != 3 || s.do(t, "GET", "/api/v1/debtors/cli-007/offers", "").raw == before {
		t.Fatalf("offers under the saved policy: %+v", after)
	}
	owed := cents(t, after.Offers[0].Total) + cents(t, after.Offers[0].Discount)
	for _, o := range after.Offers[1:] {
		var sum payments.Cents
		for _, in := range o.Installments {
			sum += cents(t, in.Amount)
		}
		if sum != cents(t, o.Total) || sum != owed { // interest-free plans
			t.Fatalf("plan offer %+v, owed %s", o, owed)
		}
	}
}

func TestOffersAcceptAndStatement(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	r := s.do(t, "GET", "/api/v1/debtors/cli-007/offers", "")
	// SPEC's shape: {"offers":[{"id","kind","count","total","discount","installments":[{"number","due_date","amount"}]}]}.
	var raw map[string][]map[string]any
	if err := json.Unmarshal([]byte(r.raw), &raw); err != nil || r.status != 200 {
		t.Fatalf("offers: %d %s", r.status, r.raw)
	}
	for _, o := range raw["offers"] {
		for _, k := range []string{"id", "kind", "count", "total", "discount", "installments"} {
			if _, ok := o[k]; !ok {
				t.Fatalf("offer without %q: %v", k, o)
			}
		}
		for _, in := range o["installments"].([]any) {
			keys := []string{}
			for k := range in.(map[string]any) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !reflect.DeepEqual(keys, []string{"amount", "due_date", "number"}) {
				t.Fatalf("installment keys %v", keys)
			}
		}
	}
	offers := s.offers(t, "cli-007")
	if offers.Offers[0].Kind != "cash" || len(offers.Offers) != 12 || offers.Offers[0].Installments[0].DueDate != "2026-11-22" {
		t.Fatalf("offers: %+v", offers)
	}
	// 2300.00 40 days late: 46.00 fine + 30.67 interest; the ledger agrees.
	st := s.do(t, "GET", "/api/v1/debtors/cli-007/statement", "")
	if st.body["balance"] != "2376.67" || cents(t, offers.Offers[0].Total)+cents(t, offers.Offers[0].Discount) != 237667 {
		t.Fatalf("balance %v, cash offer %+v", st.body["balance"], offers.Offers[0])
	}

	// Eight clients accept the same offer at once: one plan.
	id := offers.id(t, "installments", 6)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	plans := make([]planBody, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], plans[i] = s.accept(t, "cli-007", id)
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if !reflect.DeepEqual(statuses, []int{200, 200, 200, 200, 200, 200, 200, 201}) {
		t.Fatalf("statuses %v", statuses)
	}
	for _, p := range plans {
		if p.ID != plans[0].ID || len(p.Installments) != 6 || p.Status != "active" {
			t.Fatalf("plans %+v", plans)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM plans p JOIN debtors d ON d.id = p.debtor_id WHERE d.external_id = 'cli-007'"); n != 1 {
		t.Fatalf("%d plans", n)
	}
	s.checkBooks(t)
	if code, p := s.accept(t, "cli-007", id); code != 200 || p.ID != plans[0].ID {
		t.Fatalf("accept again: %d %+v", code, p)
	}

	// The statement shows the plan and its installments; nothing open.
	st = s.do(t, "GET", "/api/v1/debtors/cli-007/statement", "")
	var stmt struct {
		Charges []struct{ ExternalID, Status string } `json:"charges"`
		Plans   []planBody                            `json:"plans"`
		Balance string                                `json:"balance"`
	}
	json.Unmarshal([]byte(st.raw), &stmt)
	if stmt.Balance != "0.00" || len(stmt.Plans) != 1 || len(stmt.Plans[0].Installments) != 6 || stmt.Charges[0].Status != "in_plan" {
		t.Fatalf("statement: %s", st.raw)
	}
	in := stmt.Plans[0].Installments
	if in[0].Number != 1 || in[0].DueDate != "2026-11-25" || in[1].DueDate != "2026-12-25" || in[0].Status != "open" || in[0].Amount != offers.Offers[5].Installments[0].Amount {
		t.Fatalf("installments: %+v", in)
	}

	// A stale offer: the debt changed since the offers were made.
	old := s.offers(t, "cli-006").id(t, "installments", 3)
	if r := s.do(t, "POST", "/api/v1/charges", `{"external_id":"extra-1","debtor_external_id":"cli-006","amount":"99.90","due_date":"2026-12-10"}`); r.status != 201 {
		t.Fatalf("charge: %d %s", r.status, r.raw)
	}
	r = s.do(t, "POST", "/api/v1/debtors/cli-006/plans", `{"offer_id":"`+old+`"}`)
	var stale struct {
		Error  httpapi.ErrorDetail `json:"error"`
		Offers []httpapi.OfferJSON `json:"offers"`
	}
	json.Unmarshal([]byte(r.raw), &stale)
	if r.status != 409 || stale.Error.Field != "offer_id" || !strings.Contains(stale.Error.Message, "no longer available") || len(stale.Offers) < 2 {
		t.Fatalf("stale offer: %d %s", r.status, r.raw)
	}
	fresh := stale.Offers[2]
	if fresh.ID == old || fresh.Count != 3 {
		t.Fatalf("fresh offers: %+v", stale.Offers)
	}
	if code, p := s.accept(t, "cli-006", fresh.ID); code != 201 || len(p.Installments) != 3 {
		t.Fatalf("accept the fresh offer: %d %+v", code, p)
	}

	// Bad requests.
	if r := s.do(t, "POST", "/api/v1/debtors/nobody/plans", `{"offer_id":"of_x"}`); r.status != 404 {
		t.Fatalf("unknown debtor: %d", r.status)
	}
	if r := s.do(t, "POST", "/api/v1/debtors/cli-005/plans", `{}`); r.status != 422 || errField(r) != "offer_id" {
		t.Fatalf("no offer id: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "GET", "/api/v1/debtors/cli-008/offers", ""); r.status != 200 || !strings.Contains(r.raw, `"offers":[]`) {
		t.Fatalf("offers for a paid-up debtor: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "GET", "/api/v1/plans/999", ""); r.status != 404 {
		t.Fatalf("unknown plan: %d", r.status)
	}
	s.checkBooks(t)
}

func TestInstallmentsPaidByPixWebhook(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	_, p := s.accept(t, "cli-009", s.offers(t, "cli-009").id(t, "installments", 3))
	if p.ID == 0 {
		t.Fatal("no plan")
	}
	for n := 1; n <= 3; n++ {
		r := s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/installments/%d/pix", p.ID, n), "")
		if r.status != 200 || !strings.HasPrefix(r.body["payload"].(string), "000201") || r.body["amount"] != p.Installments[n-1].Amount {
			t.Fatalf("installment %d code: %d %s", n, r.status, r.raw)
		}
		e2e := apipixtest.NewEndToEndID("00000000", testNow, 100+n)
		body := `{"pix":[` + pixJSON(e2e, r.body["txid"].(string), cents(t, p.Installments[n-1].Amount), testNow) + `]}`
		if w := s.notify(t, body, goodSig); w.status != 200 || w.body["posted"] != 1.0 {
			t.Fatalf("webhook %d: %d %s", n, w.status, w.raw)
		}
		s.notify(t, body, goodSig) // the provider repeats itself: harmless
		got := s.plan(t, p.ID)
		for k, in := range got.Installments {
			want := "open"
			if k < n {
				want = "paid"
			}
			if in.Status != want {
				t.Fatalf("after paying %d: installment %d is %s", n, k+1, in.Status)
			}
		}
		wantPlan := "active"
		if n == 3 {
			wantPlan = "paid"
		}
		if got.Status != wantPlan {
			t.Fatalf("after paying %d: plan %s", n, got.Status)
		}
		s.checkBooks(t)
	}
	if n := s.count(t, "SELECT count(*) FROM payments y JOIN plan_installments i ON i.id = y.installment_id WHERE i.plan_id = $1", p.ID); n != 3 {
		t.Fatalf("%d installment payments", n)
	}
	if n := s.count(t, "SELECT count(*) FROM payment_confirmations WHERE text LIKE '%parcela 3/3 paga e o acordo está quitado%'"); n != 1 {
		t.Fatalf("no confirmation of the last installment")
	}
	// A paid installment has nothing to pay.
	if r := s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/installments/1/pix", p.ID), ""); r.status != 409 {
		t.Fatalf("code for a paid installment: %d %s", r.status, r.raw)
	}
	st := s.do(t, "GET", "/api/v1/debtors/cli-009/statement", "")
	if st.body["balance"] != "0.00" || !strings.Contains(st.raw, `"status":"paid"`) {
		t.Fatalf("statement: %s", st.raw)
	}
}

// The periodic River job breaks a plan whose installment is 31 days late;
// running it again changes nothing.
func TestPlanBreakJob(t *testing.T) {
	t.Parallel()
	clk := &movingClock{t: testNow}
	s := startAt(t, clk)
	_, p := s.accept(t, "cli-006", s.offers(t, "cli-006").id(t, "installments", 4))
	code := s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/installments/1/pix", p.ID), "")
	e2e := apipixtest.NewEndToEndID("00000000", testNow, 7)
	body := `[` + pixJSON(e2e, code.body["txid"].(string), cents(t, p.Installments[0].Amount), testNow) + `]`
	if r := s.notify(t, body, goodSig); r.status != 200 {
		t.Fatalf("pay the first: %d %s", r.status, r.raw)
	}
	// The second installment 31 days late.
	due, _ := time.Parse(time.DateOnly, p.Installments[1].DueDate)
	clk.Set(time.Date(due.Year(), due.Month(), due.Day()+31, 10, 0, 0, 0, testNow.Location()))
	runSweep := func() {
		t.Helper()
		ctx := context.Background()
		res, err := s.Jobs.Client().Insert(ctx, jobs.PlanBreaksArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var state string
			s.Pool.QueryRow(ctx, "SELECT state FROM river_job WHERE id = $1", res.Job.ID).Scan(&state)
			if state == "completed" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("sweep job %s", state)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	runSweep()
	got := s.plan(t, p.ID)
	if got.Status != "broken" || got.Installments[0].Status != "paid" || got.Installments[1].Status != "cancelled" {
		t.Fatalf("plan after the sweep: %+v", got)
	}
	full, err := s.Plans.Plan(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The debtor owes what was owed when the plan was made, minus the
	// amortisation paid (the first installment's).
	want := full.Principal + full.Fees - full.Installments[0].Amortization
	st := s.do(t, "GET", "/api/v1/debtors/cli-006/statement", "")
	if st.body["balance"] != want.Decimal() {
		t.Fatalf("balance after the break %v, want %s", st.body["balance"], want.Decimal())
	}
	if a := s.do(t, "GET", "/api/v1/alerts", ""); !strings.Contains(a.raw, "plan_broken") {
		t.Fatalf("alerts: %s", a.raw)
	}
	s.checkBooks(t)
	txs := s.count(t, "SELECT count(*) FROM ledger_transactions")
	runSweep()
	if n := s.count(t, "SELECT count(*) FROM ledger_transactions"); n != txs {
		t.Fatalf("second sweep: %d ledger transactions, was %d", n, txs)
	}
	if st2 := s.do(t, "GET", "/api/v1/debtors/cli-006/statement", ""); st2.body["balance"] != want.Decimal() {
		t.Fatalf("balance after the second sweep: %v", st2.body["balance"])
	}
	// Fresh offers for what is owed now.
	if o := s.offers(t, "cli-006"); len(o.Offers) == 0 || cents(t, o.Offers[0].Total)+cents(t, o.Offers[0].Discount) != want {
		t.Fatalf("offers after the break: %+v", o)
	}
}
