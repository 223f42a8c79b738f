package chat

import "sync/atomic"

// counters are a session's Stats. Every change goes through one of the
// methods below, one per thing counted, so that other instruments (such as
// metrics) can be fed from the same few points.
type counters struct {
	reconnects, reconnectAttempts, rotations, tokenRefreshes atomic.Int64
	heartbeatMisses, pingFailures, gapFills, gapFilled       atomic.Int64
	duplicates, late, updates, events                        atomic.Int64
	receiptsSent, receiptConflicts, receiptErrors            atomic.Int64
	receiptsRequeued                                         atomic.Int64
	typingSent, typingThrottled, typingDropped               atomic.Int64
}

// Connection.

func (c *counters) reconnected()     { c.reconnects.Add(1) }
func (c *counters) reconnectFailed() { c.reconnectAttempts.Add(1) }
func (c *counters) rotated()         { c.rotations.Add(1) }
func (c *counters) tokenRefreshed()  { c.tokenRefreshes.Add(1) }
func (c *counters) heartbeatMissed() { c.heartbeatMisses.Add(1) }
func (c *counters) pingFailed()      { c.pingFailures.Add(1) }

// Items and events.

func (c *counters) gapFill()             { c.gapFills.Add(1) }
func (c *counters) gapFilledItem()       { c.gapFilled.Add(1) }
func (c *counters) duplicate()           { c.duplicates.Add(1) }
func (c *counters) lateItem()            { c.late.Add(1) }
func (c *counters) update()              { c.updates.Add(1) }
func (c *counters) eventsMade(n int)     { c.events.Add(int64(n)) }
func (c *counters) typingDroppedN(n int) { c.typingDropped.Add(int64(n)) }

// Sending.

func (c *counters) receiptSent()            { c.receiptsSent.Add(1) }
func (c *counters) receiptConflict()        { c.receiptConflicts.Add(1) }
func (c *counters) receiptFailed()          { c.receiptErrors.Add(1) }
func (c *counters) receiptsRequeuedN(n int) { c.receiptsRequeued.Add(int64(n)) }
func (c *counters) typingSentOne()          { c.typingSent.Add(1) }
func (c *counters) typingThrottledOne()     { c.typingThrottled.Add(1) }

// snapshot returns the counters as Stats.
func (c *counters) snapshot() Stats {
	return Stats{
		Reconnects:        c.reconnects.Load(),
		ReconnectAttempts: c.reconnectAttempts.Load(),
		Rotations:         c.rotations.Load(),
		TokenRefreshes:    c.tokenRefreshes.Load(),
		HeartbeatMisses:   c.heartbeatMisses.Load(),
		PingFailures:      c.pingFailures.Load(),
		GapFills:          c.gapFills.Load(),
		GapFilledItems:    c.gapFilled.Load(),
		DuplicatesDropped: c.duplicates.Load(),
		LateItems:         c.late.Load(),
		Updates:           c.updates.Load(),
		Events:            c.events.Load(),
		ReceiptsSent:      c.receiptsSent.Load(),
		ReceiptConflicts:  c.receiptConflicts.Load(),
		ReceiptErrors:     c.receiptErrors.Load(),
		ReceiptsRequeued:  c.receiptsRequeued.Load(),
		TypingSent:        c.typingSent.Load(),
		TypingThrottled:   c.typingThrottled.Load(),
		TypingDropped:     c.typingDropped.Load(),
	}
}
