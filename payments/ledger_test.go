package payments_test

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/payments"
)

var saoPaulo = mustLoc("America/Sao_Paulo")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// fixture is a ledger on its own database with a clock the test moves.
type fixture struct {
	pool   *pgxpool.Pool
	ledger *payments.Ledger
	store  *payments.Store
	clock  *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func setup(tb testing.TB) *fixture {
	tb.Helper()
	pool := pgtest.NewPool(tb)
	return newFixture(pool)
}

func newFixture(pool *pgxpool.Pool) *fixture {
	c := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, saoPaulo)}
	l := payments.NewLedger(pool, nil, saoPaulo, payments.DefaultLateFeeRules, c.Now)
	return &fixture{pool: pool, ledger: l, store: payments.NewStore(l), clock: c}
}

var seq atomic.Int64

// validCPF makes a CPF with correct check digits from a number.
func validCPF(n int64) string {
	d := fmt.Sprintf("%09d", n%1_000_000_000)
	for len(d) < 11 {
		sum := 0
		for i := 0; i < len(d); i++ {
			sum += int(d[i]-'0') * (len(d) + 1 - i)
		}
		v := sum * 10 % 11
		if v == 10 {
			v = 0
		}
		d += string(rune('0' + v))
	}
	return d
}

func (f *fixture) debtor(tb testing.TB) *payments.Debtor {
	tb.Helper()
	n := seq.Add(1)
	d := &payments.Debtor{ExternalID: fmt.Sprintf("D%06d", n), Name: "Maria Teste", Document: validCPF(100000000 + n),
		DocumentKind: payments.DocCPF, Phones: []string{fmt.Sprintf("+55119%08d", n)}}
	if _, err := f.store.CreateDebtor(context.Background(), d); err != nil {
		tb.Fatal(err)
	}
	return d
}

func (f *fixture) charge(tb testing.TB, d *payments.Debtor, amount payments.Cents, due time.Time) *payments.Charge {
	tb.Helper()
	c := &payments.Charge{ExternalID: fmt.Sprintf("C%06d", seq.Add(1)), DebtorExternalID: d.ExternalID, Description: "Mensalidade",
		Amount: amount, DueDate: due}
	if _, err := f.store.CreateCharge(context.Background(), c); err != nil {
		tb.Fatal(err)
	}
	return c
}

func (f *fixture) checkBalanced(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	var bad, total int64
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT transaction_id FROM ledger_postings GROUP BY 1 HAVING sum(amount) <> 0) x`).Scan(&bad); err != nil {
		tb.Fatal(err)
	}
	if err := f.pool.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_postings`).Scan(&total); err != nil {
		tb.Fatal(err)
	}
	if bad != 0 || total != 0 {
		tb.Fatalf("ledger out of balance: %d unbalanced transactions, overall sum %d", bad, total)
	}
	var dupE2E int64
	f.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT end_to_end_id FROM payments GROUP BY 1 HAVING count(*) > 1) x`).Scan(&dupE2E)
	if dupE2E != 0 {
		tb.Fatalf("%d end-to-end ids recorded twice", dupE2E)
	}
}

func TestPaymentExactPartialAndOver(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := f.debtor(t)
	today := payments.Date(f.clock.Now(), saoPaulo)
	c := f.charge(t, d, 100000, today.AddDate(0, 0, 3)) // R$ 1.000,00 due in 3 days

	r, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "E1", Amount: 40000, ChargeID: c.ID, Source: "api"})
	if err != nil || r.Applied != 40000 || r.Credit != 0 || len(r.PaidCharges) != 0 {
		t.Fatalf("partial: %+v %v", r, err)
	}
	b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.Total != 60000 || b.Status != payments.ChargeOpen {
		t.Fatalf("after partial: %+v", b)
	}
	r, err = f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "E2", Amount: 70000, ChargeID: c.ID})
	if err != nil || r.Applied != 60000 || r.Credit != 10000 || len(r.PaidCharges) != 1 {
		t.Fatalf("over: %+v %v", r, err)
	}
	db, _ := f.ledger.DebtorBalance(ctx, d.ID, f.clock.Now())
	if db.Total != 0 || db.Credit != 10000 || len(db.Charges) != 0 {
		t.Fatalf("debtor balance: %+v", db)
	}
	// The same end-to-end id again changes nothing.
	r, err = f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "E2", Amount: 70000, ChargeID: c.ID})
	if err != nil || !r.Duplicate {
		t.Fatalf("duplicate: %+v %v", r, err)
	}
	// Unknown payer: suspense.
	r, err = f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "E3", Amount: 123})
	if err != nil || r.Suspense != 123 {
		t.Fatalf("suspense: %+v %v", r, err)
	}
	f.checkBalanced(t)
}

func TestLatePaymentBooksFineAndInterestFirst(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := f.debtor(t)
	today := payments.Date(f.clock.Now(), saoPaulo)
	c := f.charge(t, d, 150000, today.AddDate(0, 0, -10)) // R$ 1.500,00, 10 days late
	b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	// fine 2% = 30,00; interest 1%/30 × 10 days = 5,00
	if b.AccruedFine != 3000 || b.AccruedInterest != 500 || b.Total != 153500 || b.DaysLate != 10 {
		t.Fatalf("balance: %+v", b)
	}
	// Pay 1.000,00: fees first, then principal.
	if _, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "L1", Amount: 100000, ChargeID: c.ID}); err != nil {
		t.Fatal(err)
	}
	b, _ = f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.Principal != 53500 || b.Fees != 0 || b.AccruedFine != 0 || b.AccruedInterest != 0 {
		t.Fatalf("after payment: %+v", b)
	}
	// 30 days later: interest only on the remaining principal, no second fine.
	f.clock.Add(30 * 24 * time.Hour)
	b, _ = f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.AccruedFine != 0 || b.AccruedInterest != 535 || b.Total != 54035 {
		t.Fatalf("a month later: %+v", b)
	}
	if err := f.ledger.Discount(ctx, c.ID, 535, "disc-1", "waive interest"); err != nil {
		t.Fatal(err)
	}
	if err := f.ledger.Discount(ctx, c.ID, 535, "disc-1", "waive interest"); err != nil {
		t.Fatal(err)
	}
	b, _ = f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.Total != 53500 {
		t.Fatalf("after discount (applied once): %+v", b)
	}
	if err := f.ledger.WriteOff(ctx, c.ID, "wo-1", "gave up"); err != nil {
		t.Fatal(err)
	}
	b, _ = f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.Total != 0 || b.Status != payments.ChargeWrittenOff {
		t.Fatalf("after write-off: %+v", b)
	}
	if err := f.ledger.WriteOff(ctx, c.ID, "wo-2", "again"); payments.ErrorCode(err) != payments.ECONFLICT {
		t.Fatalf("write-off of a written-off charge: %v", err)
	}
	if err := f.ledger.Discount(ctx, c.ID, 0, "", ""); payments.ErrorField(err) != "amount" {
		t.Fatalf("zero discount: %v", err)
	}
	f.checkBalanced(t)
}

// 16 goroutines post the same payment: exactly one posting.
func TestConcurrentDuplicatePayment(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := f.debtor(t)
	c := f.charge(t, d, 50000, payments.Date(f.clock.Now(), saoPaulo))
	var wg sync.WaitGroup
	var fresh atomic.Int32
	start := make(chan struct{})
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "E00000000202611221000abcdefghijk", Amount: 50000, ChargeID: c.ID})
			if err != nil {
				t.Error(err)
				return
			}
			if !r.Duplicate {
				fresh.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	var payRows, postings int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM payments").Scan(&payRows)
	f.pool.QueryRow(ctx, "SELECT count(*) FROM ledger_postings WHERE account = 'cash_pix'").Scan(&postings)
	if fresh.Load() != 1 || payRows != 1 || postings != 1 {
		t.Fatalf("fresh=%d payments=%d cash postings=%d, want 1/1/1", fresh.Load(), payRows, postings)
	}
	b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.Total != 0 || b.Status != payments.ChargePaid {
		t.Fatalf("charge after payment: %+v", b)
	}
	f.checkBalanced(t)
}

// model is an independent re-implementation of the ledger's rules, kept
// in memory, using big rationals for rounding.
type modelCharge struct {
	id              int64
	due             time.Time
	principal, fees int64
	status          string
	fineDone        bool
	through         time.Time // zero: none
}

func roundHalfUp(r *big.Rat) int64 {
	// r ≥ 0 here.
	n := new(big.Int).Mul(r.Num(), big.NewInt(2))
	n.Add(n, r.Denom())
	d := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	return new(big.Int).Quo(n, d).Int64()
}

func (m *modelCharge) accrue(today time.Time) (fine, interest int64) {
	if m.principal <= 0 || !today.After(m.due) || m.status != payments.ChargeOpen {
		return 0, 0
	}
	if !m.fineDone {
		fine = roundHalfUp(big.NewRat(m.principal*2, 100))
	}
	from := m.due
	if !m.through.IsZero() && m.through.After(from) {
		from = m.through
	}
	days := int64(today.Sub(from).Hours() / 24)
	if days > 0 {
		interest = roundHalfUp(new(big.Rat).SetFrac64(m.principal*days, 100*30))
	}
	return fine, interest
}

func (m *modelCharge) assess(today time.Time) {
	if m.status != payments.ChargeOpen || !today.After(m.due) || m.principal <= 0 {
		return
	}
	f, i := m.accrue(today)
	m.fees += f + i
	m.fineDone = true
	if today.After(m.through) {
		m.through = today
	}
}

func (m *modelCharge) take(amount int64) int64 {
	f := min(amount, m.fees)
	m.fees -= f
	amount -= f
	p := min(amount, m.principal)
	m.principal -= p
	return amount - p
}

// Thousands of random operation sequences keep every transaction balanced,
// never record an end-to-end id twice, and give balances equal to the model.
func TestLedgerProperty(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	sequences := 2000
	if testing.Short() {
		sequences = 300
	}
	const workers = 4
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f := newFixture(pool)
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for s := w; s < sequences; s += workers {
				if t.Failed() {
					return
				}
				runSequence(t, f, rng, s)
			}
		}(w)
	}
	wg.Wait()
	newFixture(pool).checkBalanced(t)
}

func runSequence(t *testing.T, f *fixture, rng *rand.Rand, s int) {
	ctx := context.Background()
	f.clock.Set(time.Date(2026, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 8+rng.IntN(12), 0, 0, 0, saoPaulo))
	d := f.debtor(t)
	n := 1 + rng.IntN(3)
	charges := map[int64]*modelCharge{}
	var order []*modelCharge
	for i := 0; i < n; i++ {
		amt := int64(100 + rng.IntN(500000))
		due := payments.Date(f.clock.Now(), saoPaulo).AddDate(0, 0, rng.IntN(40)-20)
		c := f.charge(t, d, payments.Cents(amt), due)
		m := &modelCharge{id: c.ID, due: due, principal: amt, status: payments.ChargeOpen}
		charges[c.ID] = m
		order = append(order, m)
	}
	var credit int64
	var e2es []string
	ops := 2 + rng.IntN(6)
	for op := 0; op < ops; op++ {
		today := payments.Date(f.clock.Now(), saoPaulo)
		switch k := rng.IntN(10); {
		case k < 5: // payment to one charge
			m := order[rng.IntN(len(order))]
			amt := int64(1 + rng.IntN(300000))
			e2e := fmt.Sprintf("E%d-%d-%d", s, op, rng.Int())
			e2es = append(e2es, e2e)
			r, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: e2e, Amount: payments.Cents(amt), ChargeID: m.id, PaidAt: f.clock.Now()})
			if err != nil {
				t.Fatalf("seq %d: pay: %v", s, err)
			}
			left := amt
			if m.status == payments.ChargeOpen {
				m.assess(today)
				left = m.take(amt)
				if m.principal+m.fees == 0 {
					m.status = payments.ChargePaid
				}
			}
			credit += left
			if int64(r.Credit) != left {
				t.Fatalf("seq %d: credit %d, model %d", s, r.Credit, left)
			}
		case k < 6: // debtor-level payment, oldest due first
			amt := int64(1 + rng.IntN(300000))
			e2e := fmt.Sprintf("E%d-%d-d%d", s, op, rng.Int())
			e2es = append(e2es, e2e)
			if _, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: e2e, Amount: payments.Cents(amt), DebtorID: d.ID, PaidAt: f.clock.Now()}); err != nil {
				t.Fatalf("seq %d: pay debtor: %v", s, err)
			}
			sorted := append([]*modelCharge(nil), order...)
			for i := 1; i < len(sorted); i++ { // by due date, then id
				for j := i; j > 0 && (sorted[j].due.Before(sorted[j-1].due) || sorted[j].due.Equal(sorted[j-1].due) && sorted[j].id < sorted[j-1].id); j-- {
					sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
				}
			}
			left := amt
			for _, m := range sorted {
				if m.status != payments.ChargeOpen || left == 0 {
					continue
				}
				m.assess(today)
				left = m.take(left)
				if m.principal+m.fees == 0 {
					m.status = payments.ChargePaid
				}
			}
			credit += left
		case k < 7 && len(e2es) > 0: // a duplicate notification
			e2e := e2es[rng.IntN(len(e2es))]
			r, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: e2e, Amount: 999, ChargeID: order[0].id})
			if err != nil || !r.Duplicate {
				t.Fatalf("seq %d: duplicate: %+v %v", s, r, err)
			}
		case k < 8: // discount
			m := order[rng.IntN(len(order))]
			if m.status != payments.ChargeOpen {
				continue
			}
			f0, i0 := m.accrue(today)
			owed := m.principal + m.fees + f0 + i0
			amt := int64(1 + rng.IntN(int(owed)))
			key := fmt.Sprintf("disc-%d-%d", s, op)
			if err := f.ledger.Discount(ctx, m.id, payments.Cents(amt), key, ""); err != nil {
				t.Fatalf("seq %d: discount: %v", s, err)
			}
			m.assess(today)
			m.take(amt)
			if m.principal+m.fees == 0 {
				m.status = payments.ChargePaid
			}
		case k < 9: // write-off
			m := order[rng.IntN(len(order))]
			if m.status != payments.ChargeOpen {
				continue
			}
			if err := f.ledger.WriteOff(ctx, m.id, fmt.Sprintf("wo-%d-%d", s, op), ""); err != nil {
				t.Fatalf("seq %d: write-off: %v", s, err)
			}
			m.principal, m.fees, m.status = 0, 0, payments.ChargeWrittenOff
		default: // time passes
			f.clock.Add(time.Duration(1+rng.IntN(45)) * 24 * time.Hour)
		}
	}
	// Compare every balance with the model.
	today := payments.Date(f.clock.Now(), saoPaulo)
	var total int64
	for _, m := range order {
		b, err := f.ledger.ChargeBalance(ctx, m.id, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		fine, interest := m.accrue(today)
		want := m.principal + m.fees + fine + interest
		if int64(b.Total) != want || b.Status != m.status || int64(b.Principal) != m.principal || int64(b.Fees) != m.fees {
			t.Fatalf("seq %d charge %d: ledger %+v, model principal=%d fees=%d accrued=%d+%d status=%s", s, m.id, b, m.principal, m.fees, fine, interest, m.status)
		}
		if m.status == payments.ChargeOpen {
			total += want
		}
	}
	db, err := f.ledger.DebtorBalance(ctx, d.ID, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if int64(db.Total) != total || int64(db.Credit) != credit {
		t.Fatalf("seq %d: debtor total %d credit %d, model %d / %d", s, db.Total, db.Credit, total, credit)
	}
}

func BenchmarkRecordPayment8Workers(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	d := f.debtor(b)
	const nCharges = 256
	ids := make([]int64, nCharges)
	for i := range ids {
		ids[i] = f.charge(b, d, 1_000_000_00, payments.Date(f.clock.Now(), saoPaulo).AddDate(0, 0, -5)).ID
	}
	var n atomic.Int64
	b.SetParallelism(4) // × GOMAXPROCS(2) = 8 workers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: fmt.Sprintf("B%d", i), Amount: 1000, ChargeID: ids[i%nCharges]})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payments/s")
}
