package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"go.mau.fi/whatsmeow/store/sqlstore"
)

// WhatsmeowStore is whatsmeow's device store (the linked WhatsApp number's
// keys and sessions, in the whatsmeow_* tables) on the app's pool. The
// "postgres" dialect: "pgx/v5" would panic. Closing the returned container
// would close only the database/sql wrapper, never the pool.
func WhatsmeowStore(pool *pgxpool.Pool) *sqlstore.Container {
	return sqlstore.NewWithDB(stdlib.OpenDBFromPool(pool), "postgres", nil)
}

// upgradeWhatsmeow creates or upgrades the whatsmeow_* tables with
// whatsmeow's own upgrader (its version is kept in whatsmeow_version), so
// that `regua migrate` prepares the device store like every other table.
func upgradeWhatsmeow(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	c := sqlstore.NewWithDB(db, "postgres", nil)
	if err := c.Upgrade(ctx); err != nil {
		return fmt.Errorf("postgres: whatsmeow store: %w", err)
	}
	return nil
}
