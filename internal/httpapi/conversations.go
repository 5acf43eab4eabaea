package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/payments"
)

// ConversationLister lists conversations and hands them back to the bot
// (the bot service).
type ConversationLister interface {
	Conversations(ctx context.Context, status string, limit int) ([]bot.ConversationSummary, error)
	Release(ctx context.Context, id int64) error
}

// RegisterConversations mounts GET /api/v1/conversations?status= and
// POST /api/v1/conversations/{id}/release.
func (s *Server) RegisterConversations(mux *http.ServeMux, l ConversationLister) {
	mux.HandleFunc("GET /api/v1/conversations", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		_, limit, err := pageParams(r)
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		cs, err := l.Conversations(r.Context(), r.URL.Query().Get("status"), limit)
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		WriteJSON(w, http.StatusOK, Page[bot.ConversationSummary]{Data: cs})
	}))

	mux.HandleFunc("POST /api/v1/conversations/{id}/release", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			WriteError(w, r, s.log, payments.Invalid("id", "must be a conversation id"))
			return
		}
		if err := l.Release(r.Context(), id); err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": "bot"})
	}))
}
