package daemon

import (
	"context"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// newSlog adapts log for libraries that take a *slog.Logger.
func newSlog(log hclog.Logger) *slog.Logger { return slog.New(slogHandler{log: log}) }

// slogHandler forwards slog records to an hclog logger.
type slogHandler struct {
	log   hclog.Logger
	group string
}

func (h slogHandler) Enabled(_ context.Context, level slog.Level) bool {
	return h.log.GetLevel() <= hclogLevel(level)
}

func (h slogHandler) Handle(_ context.Context, r slog.Record) error {
	args := make([]any, 0, 2*r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		args = append(args, h.key(a.Key), a.Value.Any())
		return true
	})
	h.log.Log(hclogLevel(r.Level), r.Message, args...)
	return nil
}

func (h slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	args := make([]any, 0, 2*len(attrs))
	for _, a := range attrs {
		args = append(args, h.key(a.Key), a.Value.Any())
	}
	return slogHandler{log: h.log.With(args...), group: h.group}
}

func (h slogHandler) WithGroup(name string) slog.Handler {
	return slogHandler{log: h.log, group: h.key(name)}
}

func (h slogHandler) key(k string) string {
	if h.group == "" {
		return k
	}
	return h.group + "." + k
}

func hclogLevel(l slog.Level) hclog.Level {
	switch {
	case l >= slog.LevelError:
		return hclog.Error
	case l >= slog.LevelWarn:
		return hclog.Warn
	case l >= slog.LevelInfo:
		return hclog.Info
	default:
		return hclog.Debug
	}
}
