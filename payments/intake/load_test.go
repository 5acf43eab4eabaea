package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/intake"
)

func cpf(n int) string {
	d := fmt.Sprintf("%09d", n)
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

func newStore(tb testing.TB) *payments.Store {
	pool := pgtest.NewPool(tb)
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	return payments.NewStore(payments.NewLedger(pool, nil, loc, payments.DefaultLateFeeRules, time.Now))
}

func debtorsCSV(n int) string {
	var b strings.Builder
	b.WriteString("external_id;nome;cpf;telefone\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "d%d;Devedor %d;%s;(11) 9%04d-%04d\n", i, i, cpf(100000000+i), i/10000, i%10000)
	}
	return b.String()
}

// Re-importing changes nothing; a changed amount is adjusted in the ledger;
// a charge that received money cannot change its amount.
func TestLoadIdempotentAndAllOrNothing(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	ctx := context.Background()
	res, err := intake.Load(ctx, store, "debtors", strings.NewReader(debtorsCSV(3)), "d.csv", "test", intake.Options{})
	if err != nil || res.Inserted != 3 {
		t.Fatalf("debtors: %+v %v", res, err)
	}
	res, err = intake.Load(ctx, store, "debtors", strings.NewReader(debtorsCSV(3)), "d.csv", "test", intake.Options{})
	if err != nil || res.Unchanged != 3 || res.Inserted+res.Updated != 0 {
		t.Fatalf("debtors again: %+v %v", res, err)
	}
	charges := "external_id,debtor_external_id,description,amount,due_date\nc1,d0,A,100.00,2026-12-01\nc2,d1,B,\"1.000,50\",01/12/2026\n"
	if res, err = intake.Load(ctx, store, "charges", strings.NewReader(charges), "c.csv", "test", intake.Options{}); err != nil || res.Inserted != 2 {
		t.Fatalf("charges: %+v %v", res, err)
	}
	if res, err = intake.Load(ctx, store, "charges", strings.NewReader(charges), "c.csv", "test", intake.Options{}); err != nil || res.Unchanged != 2 {
		t.Fatalf("charges again: %+v %v", res, err)
	}
	changed := strings.Replace(charges, "100.00", "150.00", 1)
	if res, err = intake.Load(ctx, store, "charges", strings.NewReader(changed), "c.csv", "test", intake.Options{}); err != nil || res.Updated != 1 {
		t.Fatalf("changed amount: %+v %v", res, err)
	}
	c, _ := store.Charge(ctx, "c1")
	var booked int64
	store.Pool().QueryRow(ctx, "SELECT sum(amount) FROM ledger_postings WHERE charge_id = $1 AND account = 'receivable_principal'", c.ID).Scan(&booked)
	if c.Amount != 15000 || booked != 15000 {
		t.Fatalf("charge %d, booked %d", c.Amount, booked)
	}
	ledger := payments.NewLedger(store.Pool(), nil, time.UTC, payments.DefaultLateFeeRules, time.Now)
	if _, err := ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "e1", Amount: 100, ChargeID: c.ID}); err != nil {
		t.Fatal(err)
	}
	again := strings.Replace(charges, "100.00", "175.00", 1) + "c3,d2,C,10.00,2026-12-01\n"
	_, err = intake.Load(ctx, store, "charges", strings.NewReader(again), "c.csv", "test", intake.Options{})
	p, ok := err.(*intake.Problems)
	if !ok || len(p.Lines) != 1 || p.Lines[0].Line != 2 || p.Lines[0].Column != "amount" {
		t.Fatalf("amount change after payment: %v", err)
	}
	if _, err := store.Charge(ctx, "c3"); payments.ErrorCode(err) != payments.ENOTFOUND {
		t.Fatal("a refused import applied its good line")
	}
}

// BenchmarkImportCharges100k parses and loads 100,000 charges (COPY into a
// temporary table, set-based upsert, one balanced ledger transaction).
func BenchmarkImportCharges100k(b *testing.B) {
	store := newStore(b)
	ctx := context.Background()
	if _, err := intake.Load(ctx, store, "debtors", strings.NewReader(debtorsCSV(1000)), "d.csv", "bench", intake.Options{}); err != nil {
		b.Fatal(err)
	}
	files := make([][]byte, 0, 8)
	mk := func(round int) []byte {
		var buf bytes.Buffer
		buf.WriteString("external_id;debtor_external_id;descricao;valor;vencimento\n")
		for i := 0; i < 100_000; i++ {
			fmt.Fprintf(&buf, "r%d-c%d;d%d;Mensalidade %d;%d,%02d;%02d/%02d/2026\n", round, i, i%1000, i, 10+i%5000, i%100, 1+i%28, 1+i%12)
		}
		return buf.Bytes()
	}
	round := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if len(files) <= round {
			files = append(files, mk(round))
		}
		data := files[round]
		round++
		b.StartTimer()
		res, err := intake.Load(ctx, store, "charges", bytes.NewReader(data), "c.csv", "bench", intake.Options{})
		if err != nil || res.Inserted != 100_000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/100k")
}
