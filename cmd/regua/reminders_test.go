package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/internal/postgres/pgtest"
)

func TestRemindersPreviewCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"reminders", "preview", "--at", "amanhã"}, nil, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "--at") {
		t.Fatalf("bad --at: %d %q", code, errb.String())
	}
	db := pgtest.NewDatabase(t)
	t.Setenv("REGUA_DATABASE_URL", db)
	out.Reset()
	errb.Reset()
	// An empty database: nothing due, nothing printed, exit 0.
	if code := run(context.Background(), []string{"reminders", "preview", "--at", "2026-12-01T10:00:00-03:00"}, nil, &out, &errb); code != 0 || out.Len() != 0 {
		t.Fatalf("empty: %d %q %q", code, out.String(), errb.String())
	}
	seedPreview(t, db)
	out.Reset()
	if code := run(context.Background(), []string{"reminders", "preview", "--at", "2026-12-06T10:00:00-03:00", "--debtor", "d1"}, nil, &out, &errb); code != 0 {
		t.Fatalf("%d %q", code, errb.String())
	}
	var l map[string]any
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	if l["decision"] != "hold" || l["reason"] != "sunday" || l["step"] != "D-3" || l["charge_external_id"] != "c1" || l["next_at"] == nil {
		t.Fatalf("%v", l)
	}
}

func seedPreview(t *testing.T, db string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `
		WITH d AS (INSERT INTO debtors (external_id, name, document, document_kind, phones)
			VALUES ('d1', 'Ana', '52998224725', 'cpf', ARRAY['+5511987650001']) RETURNING id)
		INSERT INTO charges (external_id, debtor_id, amount, due_date) SELECT 'c1', id, 1000, '2026-12-09' FROM d`)
	if err != nil {
		t.Fatal(err)
	}
}
