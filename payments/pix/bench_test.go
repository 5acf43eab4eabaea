package pix

import (
	"testing"
)

var benchPayload = Payload{
	Key:          "cobranca@padaria.com.br",
	Description:  "Parcela 3 de 12",
	Amount:       123456,
	MerchantName: "Padaria Pao de Acucar Ltd",
	MerchantCity: "Sao Paulo",
	TxID:         "RGINST798",
}

func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeAccents(b *testing.B) {
	p := benchPayload
	p.MerchantName, p.MerchantCity = "Padaria Pão de Açúcar Ltda", "São Paulo"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	s, err := Encode(benchPayload)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if _, err := Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeManualDynamic(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(manualDynamic); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQRPNG(b *testing.B) {
	s, _ := Encode(benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := QRPNG(s, DefaultQRSize); err != nil {
			b.Fatal(err)
		}
	}
}
