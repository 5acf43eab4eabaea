package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
)

// process handles one translated message (on bot.Ordered: one chat at
// a time, in order).
func (c *Channel) process(ctx context.Context, up Update) {
	log := c.log.With("kind", up.Kind.String())
	chat, err := c.chatOf(ctx, up)
	if err == nil {
		switch up.Kind {
		case FromMe:
			err = c.fromMe(ctx, chat, up)
		case Edited:
			err = c.change(ctx, chat, up.Target, "edited", up.Text)
		case Deleted:
			err = c.change(ctx, chat, up.Target, "deleted", "")
		case Message:
			err = c.message(ctx, chat, up)
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("whatsapp: message", "err", err)
	}
}

// chatOf names the person's chat by phone: the event's phone JID, else the
// LID store's; a LID that cannot be resolved gives a "lid:" chat, answered
// without disclosing anything.
func (c *Channel) chatOf(ctx context.Context, up Update) (string, error) {
	if up.Phone.IsEmpty() && !up.Peer.IsEmpty() {
		if cl := c.current(); cl != nil {
			pn, err := cl.PhoneForLID(ctx, up.Peer)
			if err != nil {
				c.log.Warn("whatsapp: LID lookup", "err", err)
			}
			up.Phone = pn
		}
	}
	return ChatID(up.Phone, up.Peer), nil
}

// message runs a person's message as a turn and queues the replies.
func (c *Channel) message(ctx context.Context, chat string, up Update) error {
	cl := c.current()
	held, err := c.heldByPerson(ctx, chat)
	if err != nil {
		return err
	}
	// In a chat a person at the business holds, the message stays unread
	// for them on the phone, and nobody shows as typing.
	if cl != nil && !held {
		if err := cl.MarkRead(ctx, up.Peer, up.Sender, []string{up.MessageID}, c.cfg.Now()); err != nil {
			c.log.Warn("whatsapp: mark read", "err", err)
		}
		if err := cl.Composing(ctx, up.Peer, true); err != nil {
			c.log.Warn("whatsapp: composing", "err", err)
		}
	}
	in := up.Inbound
	in.Chat = chat
	in.At = when(in.At, c.cfg.Now())
	if up.Media != nil {
		ref, refused, err := c.keepMedia(ctx, chat, up)
		if err != nil {
			return err
		}
		if refused {
			return c.cfg.Service.Send(ctx, bot.ChannelWhatsApp, chat, bot.Reply{Text: fmt.Sprintf(txtTooBig, c.cfg.MediaMax>>20)}, "bot")
		}
		in.MediaRef = ref
	}
	replies, err := c.cfg.Service.Handle(ctx, in)
	if errors.Is(err, bot.ErrDuplicate) {
		return nil // answered at its first delivery
	}
	if err != nil {
		// Never silence: a short apology, not recorded (the store may be
		// what failed).
		if qerr := c.queue(ctx, chat, PriorityReply, bot.Reply{Text: txtTryAgainLater}); qerr != nil {
			c.log.Warn("whatsapp: apology", "err", qerr)
		}
		return err
	}
	for _, r := range replies {
		if err := c.queue(ctx, chat, PriorityReply, r); err != nil {
			return err
		}
	}
	return nil
}

// keepMedia downloads an image or document and stores it for staff,
// returning its reference ("whatsapp-media:<id>"); refused reports a file
// over the size limit (announced or real), recorded but not downloaded.
func (c *Channel) keepMedia(ctx context.Context, chat string, up Update) (ref string, refused bool, err error) {
	m := up.Media
	if int64(m.Size) > c.cfg.MediaMax {
		return "", true, c.change(ctx, chat, up.MessageID, "refused", fmt.Sprintf("%s %s, %d bytes (limit %d)", m.Kind, m.FileName, m.Size, c.cfg.MediaMax))
	}
	cl := c.current()
	if cl == nil {
		return "", false, ErrNotConnected
	}
	data, err := cl.Download(ctx, m.Message)
	if err != nil {
		// Kept without the file: staff see that one came.
		c.log.Warn("whatsapp: download media", "err", err)
		return "", false, nil
	}
	if int64(len(data)) > c.cfg.MediaMax {
		return "", true, c.change(ctx, chat, up.MessageID, "refused", fmt.Sprintf("%s %s, %d bytes (limit %d)", m.Kind, m.FileName, len(data), c.cfg.MediaMax))
	}
	var id int64
	err = c.cfg.Pool.QueryRow(ctx, `INSERT INTO whatsapp_media (chat, wa_id, kind, mimetype, file_name, data) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (chat, wa_id) DO UPDATE SET data = excluded.data RETURNING id`,
		chat, up.MessageID, m.Kind, m.Mimetype, m.FileName, data).Scan(&id)
	if err != nil {
		return "", false, fmt.Errorf("whatsapp: keep media: %w", err)
	}
	return MediaRef(id), false, nil
}

// MediaRef is how a receipt names a file kept in whatsapp_media.
func MediaRef(id int64) string { return "whatsapp-media:" + strconv.FormatInt(id, 10) }

// change records an edit, a deletion or a refused file.
func (c *Channel) change(ctx context.Context, chat, waID, kind, text string) error {
	_, err := c.cfg.Pool.Exec(ctx, "INSERT INTO whatsapp_changes (chat, wa_id, kind, text, at) VALUES ($1, $2, $3, $4, $5)",
		chat, waID, kind, storedText(text), c.cfg.Now())
	if err != nil {
		return fmt.Errorf("whatsapp: record %s: %w", kind, err)
	}
	return nil
}

func storedText(s string) string {
	if len(s) > 4096 {
		s = s[:4096]
	}
	return toValid(s)
}

// fromMe handles a message sent from the linked number: Régua's own (its
// id is in the outbox) changes nothing; one typed on the phone by a person
// at the business puts the conversation in staff hands.
func (c *Channel) fromMe(ctx context.Context, chat string, up Update) error {
	if chat == "+"+c.Number(ctx) {
		return nil // the business's notes to itself ("message yourself")
	}
	ours, err := c.box.ours(ctx, up.MessageID)
	if err != nil || ours {
		return err
	}
	var id int64
	err = c.cfg.Pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO conversations (channel, chat) VALUES ('whatsapp', $1) ON CONFLICT DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM conversations WHERE channel = 'whatsapp' AND chat = $1 LIMIT 1`, chat).Scan(&id)
	if err != nil {
		return fmt.Errorf("whatsapp: takeover: %w", err)
	}
	if err := c.cfg.Service.Takeover(ctx, id, "typed on the paired phone"); err != nil {
		return err
	}
	if _, err := c.cfg.Pool.Exec(ctx, "INSERT INTO audit_log (actor, action, subject) VALUES ('whatsapp:phone', 'conversation.takeover', $1)",
		strconv.FormatInt(id, 10)); err != nil {
		c.log.Error("whatsapp: audit takeover", "err", err)
	}
	c.log.Info("whatsapp: conversation taken over from the phone", "conversation", id)
	return nil
}

// heldByPerson reports whether a person at the business holds the chat.
func (c *Channel) heldByPerson(ctx context.Context, chat string) (bool, error) {
	var held bool
	err := c.cfg.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE channel = 'whatsapp' AND chat = $1 AND status = 'with_agent')`, chat).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("whatsapp: conversation status: %w", err)
	}
	return held, nil
}

// ErrNoMedia: no file kept under that reference.
var ErrNoMedia = errors.New("whatsapp: no such file")

// ReadMedia reads a file kept from a chat (a receipt's "whatsapp-media:<id>").
func ReadMedia(ctx context.Context, pool *pgxpool.Pool, id int64) (mimetype, fileName string, data []byte, err error) {
	err = pool.QueryRow(ctx, "SELECT mimetype, file_name, data FROM whatsapp_media WHERE id = $1", id).Scan(&mimetype, &fileName, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", nil, ErrNoMedia
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("whatsapp: media: %w", err)
	}
	return mimetype, fileName, data, nil
}
