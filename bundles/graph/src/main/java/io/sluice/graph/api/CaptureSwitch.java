package io.sluice.graph.api;

/**
 * Where the workers find the capture in force: one per graph, shared by every {@link NodeContext}. The control
 * plane replaces the {@link ArmedCapture} as a whole (one volatile write); a worker that read the old one may
 * use it until its frame ends, so its rings are freed only after a barrier.
 */
public final class CaptureSwitch {
    private volatile ArmedCapture armed = ArmedCapture.OFF;

    public ArmedCapture armed() {
        return armed;
    }

    /** Control plane: publishes {@code capture} ({@link ArmedCapture#OFF} to stop). */
    public void arm(ArmedCapture capture) {
        this.armed = capture;
    }
}
