package whatsapp

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// TestDeviceStoreSurvivesRestart: Migrate (what `regua migrate` runs)
// creates whatsmeow's tables in Régua's database; a linked device saved
// there is loaded again by a new process, without pairing.
func TestDeviceStoreSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	// Migrating again is harmless (replicas starting together).
	if err := postgres.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := pool.QueryRow(ctx, "SELECT version FROM whatsmeow_version").Scan(&version); err != nil || version < 11 {
		t.Fatalf("whatsmeow_version %d: %v", version, err)
	}
	// Unlinked: a new device, not saved.
	cl, err := Open(ctx, postgres.WhatsmeowStore(pool), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cl.Paired(); ok {
		t.Fatal("a fresh database has a linked device")
	}
	// What pairing leaves behind: the device with its JID and keys.
	container := postgres.WhatsmeowStore(pool)
	dev := container.NewDevice()
	jid := types.NewADJID("5511888000000", 0, 12)
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("details"), AccountSignatureKey: bytes.Repeat([]byte{1}, 32),
		AccountSignature: bytes.Repeat([]byte{2}, 64), DeviceSignature: bytes.Repeat([]byte{3}, 64)}
	dev.PushName = "Régua"
	if err := dev.Save(ctx); err != nil {
		t.Fatal(err)
	}
	noise := *dev.NoiseKey.Priv
	pool.Close()

	// "Restart": a new pool, a new store, the same device.
	pool2, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool2.Close()
	cl, err = Open(ctx, postgres.WhatsmeowStore(pool2), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := cl.Paired()
	if !ok || got.User != "5511888000000" {
		t.Fatalf("after a restart: %v %v", got, ok)
	}
	if *cl.cli.Store.NoiseKey.Priv != noise {
		t.Fatal("the device's keys did not survive")
	}
	// The LID store answers from the same database.
	if pn, err := cl.PhoneForLID(ctx, types.NewJID("123", types.HiddenUserServer)); err != nil || !pn.IsEmpty() {
		t.Fatalf("unknown LID: %v %v", pn, err)
	}
}
