package io.sluice.graph.runtime;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.CaptureRing;
import io.sluice.graph.api.PacketCapture.CaptureRequest;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The control-plane half of packet capture: arms the workers with fresh rings, runs the drainer thread that
 * moves their records into the pcapng file, and disarms. Stopping (by {@code pcap:off} or because {@code max}
 * packets are written) publishes {@link ArmedCapture#OFF}, passes a barrier so that no worker is still in a
 * frame that read the old capture, drains what is left, closes the file and only then frees the rings.
 * Files go only into the one directory this recorder was given.
 */
final class PcapRecorder {
    /** Records per worker ring: at the default snaplen about 2 MiB per worker, made only while capturing. */
    static final int RING_RECORDS = 1024;
    private static final long IDLE_PARK_NANOS = 1_000_000L;
    private static final System.Logger LOG = System.getLogger(PcapRecorder.class.getName());

    private final WorkerPool workers;
    private final Supplier<TraceContext> names;
    private final Path directory;
    private final Object lock = new Object();
    private Run run;
    private CaptureStatus last = new CaptureStatus(false, null, 0, ArmedCapture.ANY_INTERFACE, 0, 0, 0);

    /** {@code names}: the interfaces' names, for the file's interface blocks. */
    PcapRecorder(WorkerPool workers, Supplier<TraceContext> names, Path directory) {
        this.workers = workers;
        this.names = names;
        this.directory = directory.toAbsolutePath().normalize();
    }

    Path directory() {
        return directory;
    }

    CaptureStatus start(CaptureRequest request) {
        Path file = resolve(request.file());
        if ((request.points() & (ArmedCapture.RX | ArmedCapture.TX | ArmedCapture.DROP)) == 0) {
            throw new IllegalArgumentException("nothing to capture: choose rx, tx or drop");
        }
        if (request.maxPackets() <= 0) {
            throw new IllegalArgumentException("max must be positive: " + request.maxPackets());
        }
        if (request.snaplen() <= 0 || request.snaplen() > BufferPool.DATA_SIZE) {
            throw new IllegalArgumentException("snaplen must be 1.." + BufferPool.DATA_SIZE + ": " + request.snaplen());
        }
        synchronized (lock) {
            if (run != null) {
                throw new IllegalStateException("a capture into " + run.file + " is running: pcap:off first");
            }
            PcapngFileWriter writer;
            try {
                Files.createDirectories(directory);
                TraceContext interfaces = names.get();
                writer = new PcapngFileWriter(file, request.snaplen(), interfaces::interfaceName, this::nodeName,
                        this::errorName);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
            CaptureRing[] rings = new CaptureRing[workers.count()];
            for (int w = 0; w < rings.length; w++) {
                rings[w] = new CaptureRing(RING_RECORDS, request.snaplen(), request.maxPackets());
            }
            run = new Run(request, file, writer, rings);
            workers.capture.arm(new ArmedCapture(request.points(), request.swIfIndex(), rings));
            run.drainer.start();
            return run.status(true);
        }
    }

    CaptureStatus stop() {
        Run current;
        synchronized (lock) {
            current = run;
        }
        return current == null ? status() : current.finish();
    }

    CaptureStatus status() {
        synchronized (lock) {
            return run != null ? run.status(true) : last;
        }
    }

    /** The name of the node in graph slot {@code slot} of the graph the workers run now. */
    private String nodeName(int slot) {
        GraphSnapshot current = workers.snapshot();
        return current != null && slot >= 0 && slot < current.plans.length ? current.plans[slot].name : "node " + slot;
    }

    /** "node: counter" for global error index {@code error} in the graph the workers run now, or null. */
    private String errorName(int error) {
        GraphSnapshot current = workers.snapshot();
        return current != null ? current.errorName(error) : null;
    }

    /** The file for {@code name}: a plain name inside the directory, never a path elsewhere on the box. */
    Path resolve(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.contains("..")
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("file must be a plain name (no '/', no '..'): " + name);
        }
        Path file = directory.resolve(name).normalize();
        if (!directory.equals(file.getParent())) {
            throw new IllegalArgumentException("file must be a plain name (no '/', no '..'): " + name);
        }
        return file;
    }

    /** One capture, from arming to its closed file. */
    private final class Run {
        final CaptureRequest request;
        final Path file;
        final PcapngFileWriter writer;
        final CaptureRing[] rings;
        final Thread drainer;
        final AtomicBoolean finishing = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        volatile boolean stopping;
        /** Packets in the file: written by the drainer (then by the finishing thread, after the drainer ended). */
        volatile long written;
        private CaptureStatus finalStatus;

        Run(CaptureRequest request, Path file, PcapngFileWriter writer, CaptureRing[] rings) {
            this.request = request;
            this.file = file;
            this.writer = writer;
            this.rings = rings;
            this.drainer = new Thread(this::drainLoop, "sluice-pcap");
            this.drainer.setDaemon(true);
        }

        private void drainLoop() {
            while (!stopping) {
                int moved;
                try {
                    moved = drain();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.ERROR, "pcap: writing " + file + " failed, capture stopped: " + e);
                    finish();
                    return;
                }
                if (written >= request.maxPackets()) {
                    finish();
                    return;
                }
                if (moved == 0) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
        }

        /** Moves every published record to the file (those beyond max are let go). Returns how many it took. */
        private int drain() throws IOException {
            int moved = 0;
            long count = written;
            for (CaptureRing ring : rings) {
                int n = ring.available();
                for (int i = 0; i < n; i++) {
                    if (count < request.maxPackets()) {
                        writer.write(ring.segment(), ring.peek(i));
                        count++;
                    }
                }
                ring.release(n);
                moved += n;
            }
            if (moved > 0) {
                writer.flush();
                written = count;
            }
            return moved;
        }

        CaptureStatus finish() {
            if (!finishing.compareAndSet(false, true)) {
                if (Thread.currentThread() != drainer) {
                    awaitDone();
                }
                return finalStatus;
            }
            workers.capture.arm(ArmedCapture.OFF);
            // After the barrier no worker is inside a frame that read the capture just replaced.
            workers.withBarrier(() -> null);
            stopping = true;
            if (Thread.currentThread() != drainer) {
                try {
                    drainer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                drain();
                writer.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "pcap: closing " + file + " failed: " + e);
            }
            CaptureStatus status = status(false);
            for (CaptureRing ring : rings) {
                ring.close();
            }
            finalStatus = status;
            synchronized (lock) {
                if (run == this) {
                    run = null;
                }
                last = status;
            }
            done.countDown();
            return status;
        }

        private void awaitDone() {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        CaptureStatus status(boolean active) {
            long ringFull = 0;
            for (CaptureRing ring : rings) {
                ringFull += ring.ringFull();
            }
            return new CaptureStatus(active, file.toString(), request.points(), request.swIfIndex(),
                    request.maxPackets(), written, ringFull);
        }
    }
}
