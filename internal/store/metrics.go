package store

import (
	"hash/fnv"
	"math"
	"strconv"
	"time"
)

// MetricsRequest is the query of GET /servers/{id}/metrics.
type MetricsRequest struct {
	Types []string // cpu, disk, network
	Start string   // RFC 3339
	End   string   // RFC 3339
	Step  string   // seconds; "" lets the fake choose
}

// Metrics is the answer's "metrics" object. Values are [unix time, "value"] pairs: the value
// is a string, as the API sends it (hcloud-go refuses numbers).
type Metrics struct {
	Start      time.Time             `json:"start"`
	End        time.Time             `json:"end"`
	Step       int64                 `json:"step"`
	TimeSeries map[string]TimeSeries `json:"time_series"`
}

// TimeSeries is one named series.
type TimeSeries struct {
	Values [][2]any `json:"values"`
}

// The API returns at most this many samples, and about this many when no step is given.
const (
	maxMetricSamples     = 500
	defaultMetricSamples = 200
)

// metricSeries are the series of each metric type and their typical level.
var metricSeries = map[string][]metricSeriesSpec{
	"cpu":     {{"cpu", 12}},
	"disk":    {{"disk.0.iops.read", 40}, {"disk.0.iops.write", 90}, {"disk.0.bandwidth.read", 600_000}, {"disk.0.bandwidth.write", 1_500_000}},
	"network": {{"network.0.pps.in", 120}, {"network.0.pps.out", 100}, {"network.0.bandwidth.in", 45_000}, {"network.0.bandwidth.out", 30_000}},
}

// ServerMetrics returns plausible, deterministic time series for a server: the same request
// gives the same numbers, a daily wave plus per-sample wobble derived from a hash.
func (p *Project) ServerMetrics(id int64, req MetricsRequest) (Metrics, error) {
	return p.resourceMetrics(id, req, metricSeries, func() error {
		if !p.servers.has(id) {
			return NotFound("server")
		}
		return nil
	})
}

// metricSeriesSpec is one time series of a metric type and its typical level.
type metricSeriesSpec struct {
	name  string
	level float64
}

// resourceMetrics answers a metrics request for the resource id from the series of each type;
// exists says, under the project lock, whether the resource is there.
func (p *Project) resourceMetrics(id int64, req MetricsRequest, series map[string][]metricSeriesSpec,
	exists func() error) (Metrics, error) {
	if len(req.Types) == 0 {
		return Metrics{}, InvalidField("type", "Missing data for required field.")
	}
	for _, t := range req.Types {
		if _, ok := series[t]; !ok {
			return Metrics{}, InvalidField("type", "Not a valid choice.")
		}
	}
	start, err := time.Parse(time.RFC3339, req.Start)
	if err != nil {
		return Metrics{}, InvalidField("start", "Not a valid datetime.")
	}
	end, err := time.Parse(time.RFC3339, req.End)
	if err != nil {
		return Metrics{}, InvalidField("end", "Not a valid datetime.")
	}
	if !end.After(start) {
		return Metrics{}, InvalidField("end", "end must be after start")
	}
	span := int64(end.Sub(start) / time.Second)
	var step int64
	if req.Step != "" {
		step, err = strconv.ParseInt(req.Step, 10, 64)
		if err != nil || step < 1 {
			return Metrics{}, InvalidField("step", "Not a valid integer.")
		}
	} else {
		step = max(1, (span+defaultMetricSamples-1)/defaultMetricSamples)
	}
	if span/step+1 > maxMetricSamples {
		step = (span + maxMetricSamples - 2) / (maxMetricSamples - 1)
	}

	defer p.lock()()
	if err := exists(); err != nil {
		return Metrics{}, err
	}
	m := Metrics{Start: start.UTC(), End: end.UTC(), Step: step, TimeSeries: map[string]TimeSeries{}}
	for _, t := range req.Types {
		for _, s := range series[t] {
			values := make([][2]any, 0, span/step+1)
			for ts := start.Unix(); ts <= end.Unix(); ts += step {
				values = append(values, [2]any{float64(ts), metricValue(id, s.name, s.level, ts)})
			}
			m.TimeSeries[s.name] = TimeSeries{Values: values}
		}
	}
	return m, nil
}

func metricValue(serverID int64, series string, level float64, ts int64) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(series + "/" + strconv.FormatInt(serverID, 10) + "/" + strconv.FormatInt(ts, 10)))
	wobble := float64(h.Sum64()%1000) / 1000                   // 0 … 1
	daily := math.Sin(2 * math.Pi * float64(ts%86400) / 86400) // -1 … 1
	v := level * (1 + 0.4*daily + 0.3*(wobble-0.5))
	if series == "cpu" {
		v = math.Min(v, 100)
	}
	return strconv.FormatFloat(math.Max(v, 0), 'f', 4, 64)
}
