package pix

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestQRPNG(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		size    int
		want    int
	}{
		{"default size", manualStatic, 0, DefaultQRSize},
		{"negative means default", manualDynamic, -3, DefaultQRSize},
		{"chat thumbnail", manualComposite, 256, 256},
		{"print", manualStatic, 1024, 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := QRPNG(tt.payload, tt.size)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatalf("not a PNG signature: % x", b[:8])
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
			if err != nil || format != "png" {
				t.Fatalf("DecodeConfig: %v (format %q)", err, format)
			}
			if cfg.Width != tt.want || cfg.Height != tt.want {
				t.Fatalf("image is %dx%d, want %dx%d", cfg.Width, cfg.Height, tt.want, tt.want)
			}
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Fatalf("PNG does not decode fully: %v", err)
			}
		})
	}
	if _, err := QRPNG("", 0); err == nil {
		t.Error("empty payload accepted")
	}
	if _, err := QRPNG(manualStatic, MaxQRSize+1); err == nil {
		t.Error("oversized image accepted")
	}
}
