package app_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

// BenchmarkPixWebhook posts signed provider notifications (one Pix each, to
// issued codes) from 8 concurrent clients through HTTP, the signature check,
// and the ledger in PostgreSQL. It reports throughput and latency
// percentiles.
func BenchmarkPixWebhook(b *testing.B) {
	s := start(b, nil)
	var txids []string
	for _, ext := range []string{"fat-1003", "fat-1004", "fat-1005", "fat-1006", "fat-1007", "fat-1009", "fat-1010", "fat-1012", "fat-1013", "fat-1014"} {
		txids = append(txids, s.issueB(b, ext))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(4) // 8 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			i := n.Add(1)
			body := `{"pix":[` + pixJSON(apipixtest.NewEndToEndID("00000000", testNow, int(i)), txids[i%int64(len(txids))], payments.Cents(1), testNow) + `]}`
			req, _ := http.NewRequest("POST", s.URL()+"/webhooks/pix", strings.NewReader(body))
			req.Header.Set("X-Regua-Signature", goodSig([]byte(body)))
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			res.Body.Close()
			local = append(local, time.Since(t0))
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "notifications/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

func (s *service) issueB(b *testing.B, ext string) string {
	r := s.do(b, "POST", "/api/v1/charges/"+ext+"/pix", "")
	if r.status != 200 {
		b.Fatalf("issue: %d %s", r.status, r.raw)
	}
	return fmt.Sprint(r.body["txid"])
}
