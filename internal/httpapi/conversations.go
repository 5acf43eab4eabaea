package httpapi

import (
	"context"
	"net/http"

	"github.com/regua/regua/bot"
)

// ConversationLister lists conversations (the bot service).
type ConversationLister interface {
	Conversations(ctx context.Context, status string, limit int) ([]bot.ConversationSummary, error)
}

// RegisterConversations mounts GET /api/v1/conversations?status=.
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
}
