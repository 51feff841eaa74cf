package stats

import "github.com/yimayou/yimayou/app/domain"

// Metric names: the counters kept per hour in rollups.
const (
	MetricScan      = "scan"
	MetricView      = "view"
	MetricAudio     = "audio"
	MetricReserved  = "reserved"
	MetricPaid      = "paid"
	MetricCancelled = "cancelled"
	MetricRefunded  = "refunded"
	MetricExpired   = "expired"
	MetricCheckIn   = "checkin"
	MetricDoubleUse = "double_use"
	// MetricRevenueFen sums the amount (integer fen) of paid tickets,
	// MetricRefundFen that of refunds.
	MetricRevenueFen = "revenue_fen"
	MetricRefundFen  = "refund_fen"
	// MetricBot counts events flagged as bots, which count nowhere else.
	MetricBot = "bot"
	// MetricOverBudget counts people's events past their client's
	// recording budget (domain.FilterBudget): recorded, counted nowhere
	// else.
	MetricOverBudget = "over_budget"
)

// FilterMetric names the counter of events filtered for reason (the
// event's Filter field).
func FilterMetric(reason string) string {
	switch reason {
	case domain.FilterBudget:
		return MetricOverBudget
	}
	// A reason this binary does not know (written by a newer node) is
	// still kept out of the figures.
	return MetricOverBudget
}

// FilteredMetrics are the counters of recorded events that count in no
// figure, with the reason each stands for: the dashboard shows them so an
// operator sees what was left out and why.
var FilteredMetrics = []string{MetricBot, MetricOverBudget}

// ExtraAmountFen is the Extra field of ticket events that holds the amount
// in fen ("3500" for ¥35).
const ExtraAmountFen = "amount_fen"

// MetricOf names the counter an event type adds to, or "" if none.
func MetricOf(t domain.EventType) string {
	switch t {
	case domain.EventScan:
		return MetricScan
	case domain.EventPageView:
		return MetricView
	case domain.EventAudioPlay:
		return MetricAudio
	case domain.EventTicketReserved:
		return MetricReserved
	case domain.EventTicketPaid:
		return MetricPaid
	case domain.EventTicketCancelled:
		return MetricCancelled
	case domain.EventTicketRefunded:
		return MetricRefunded
	case domain.EventTicketExpired:
		return MetricExpired
	case domain.EventTicketCheckedIn:
		return MetricCheckIn
	case domain.EventTicketDoubleUse:
		return MetricDoubleUse
	}
	return ""
}
