package telegram

// What this adapter says on its own: only about the channel itself (its
// buttons, its chats), never about a debt. Everything else the debtor reads
// comes from the conversation engine (conversations/texts.go).
const (
	lblCopyPix = "📋 Copiar código Pix"
	txtChoose  = "Escolha uma opção:"

	// txtExpired answers a button from a menu that is no longer current.
	txtExpired        = "Esse botão expirou. Estas são as opções de agora:"
	txtExpiredNoMenu  = "Esse botão expirou. Se precisar de algo, é só escrever (ou envie MENU para ver as opções)."
	txtExpiredToast   = "Esse botão expirou."
	txtOthersContact  = "Por segurança, preciso do seu próprio número, não do contato de outra pessoa. Toque no botão “Compartilhar meu telefone” abaixo, por favor."
	txtPrivateOnly    = "Por segurança, eu só atendo em conversa privada. Toque no meu nome e depois em “Enviar mensagem” para falar comigo."
	txtTryAgainLater  = "Desculpe, tive um problema para responder agora. Pode tentar de novo em alguns minutos?"
	lblShareMyContact = "Compartilhar meu telefone"
)
