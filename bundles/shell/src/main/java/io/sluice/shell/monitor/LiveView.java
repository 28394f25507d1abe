package io.sluice.shell.monitor;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.karaf.shell.api.console.Session;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * A screen refreshed every interval until {@code q} (or Ctrl-C) or the count is reached, drawn the way Karaf's
 * {@code ttop} draws: JLine's {@link Display} over the session's terminal in raw mode, redrawn at the new size
 * after a SIGWINCH. Without a count the view takes the alternate screen ({@code smcup}/{@code rmcup}) as top
 * does; with one it redraws in place and leaves the last screen standing, so a script (or a test reading the
 * terminal) sees the figures after the command returns. On a session with no terminal that can address the
 * cursor (a command over {@code ssh host cmd}, a dumb terminal) each screen is printed after the last.
 */
final class LiveView {

    /** Draws one screen: takes a reading and returns its lines, for a terminal {@code width} columns wide. */
    interface Screen {
        List<String> refresh(int refresh, int width);
    }

    /** Key codes that end the view: q, Q and Ctrl-C (raw mode delivers it as a character, not as SIGINT). */
    private static final int QUIT_LOWER = 'q';
    private static final int QUIT_UPPER = 'Q';
    private static final int CTRL_C = 3;
    /** A terminal's tab stops, every 8 columns. */
    private static final int TAB_STOP = 8;
    /** Columns assumed where the terminal does not say. */
    private static final int DEFAULT_WIDTH = 120;

    private LiveView() {
    }

    /** The session's JLine terminal, as Karaf's console keeps it, or null when the session has none. */
    static Terminal terminalOf(Session session) {
        Object terminal = session == null ? null : session.get(".jline.terminal");
        return terminal instanceof Terminal t ? t : null;
    }

    /** Runs the view; {@code count} 0 is until the operator quits. */
    static void run(Terminal terminal, PrintStream out, long intervalMillis, int count, Screen screen)
            throws IOException, InterruptedException {
        if (terminal == null || Terminal.TYPE_DUMB.equals(terminal.getType())
                || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
            printEach(out, intervalMillis, count, screen);
            return;
        }
        boolean fullScreen = count == 0;
        AtomicBoolean resized = new AtomicBoolean(true);
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.WINCH, signal -> resized.set(true));
        Attributes saved = terminal.enterRawMode();
        if (fullScreen) {
            terminal.puts(Capability.enter_ca_mode);
        }
        terminal.puts(Capability.cursor_invisible);
        terminal.flush();
        Display display = new Display(terminal, fullScreen);
        NonBlockingReader reader = terminal.reader();
        try {
            for (int refresh = 1; count == 0 || refresh <= count; refresh++) {
                if (waitOrQuit(reader, intervalMillis)) {
                    break;
                }
                Size size = terminal.getSize();
                int width = size.getColumns() > 0 ? size.getColumns() : DEFAULT_WIDTH;
                if (resized.getAndSet(false)) {
                    display.clear();
                    display.resize(size.getRows() > 0 ? size.getRows() : 24, width);
                }
                List<AttributedString> lines = new ArrayList<>();
                for (String line : screen.refresh(refresh, width)) {
                    String columns = expandTabs(line);
                    lines.add(new AttributedString(columns.length() > width ? columns.substring(0, width) : columns));
                }
                display.update(lines, -1);
                terminal.flush();
            }
        } finally {
            terminal.puts(Capability.cursor_visible);
            if (fullScreen) {
                terminal.puts(Capability.exit_ca_mode);
            } else {
                terminal.writer().println();
            }
            terminal.setAttributes(saved);
            terminal.handle(Terminal.Signal.WINCH, previous);
            terminal.flush();
        }
    }

    /**
     * The line with each tab replaced by the spaces up to the next multiple of 8 columns, as a terminal shows it:
     * Display redraws a line by its changed columns and counts a tab as one (the {@code --no-format} tables).
     */
    static String expandTabs(String line) {
        if (line.indexOf('\t') < 0) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length() + 16);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\t') {
                do {
                    out.append(' ');
                } while (out.length() % TAB_STOP != 0);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Waits one interval for a key; true when it is one that quits. */
    private static boolean waitOrQuit(NonBlockingReader reader, long intervalMillis) throws IOException {
        long deadline = System.nanoTime() + intervalMillis * 1_000_000L;
        for (long left = intervalMillis; left > 0; left = (deadline - System.nanoTime()) / 1_000_000L) {
            int key = reader.read(left);
            if (key == QUIT_LOWER || key == QUIT_UPPER || key == CTRL_C || key == NonBlockingReader.EOF) {
                return true;
            }
        }
        return false;
    }

    private static void printEach(PrintStream out, long intervalMillis, int count, Screen screen)
            throws InterruptedException {
        for (int refresh = 1; count == 0 || refresh <= count; refresh++) {
            Thread.sleep(intervalMillis);
            for (String line : screen.refresh(refresh, DEFAULT_WIDTH)) {
                out.println(line);
            }
            out.println();
            out.flush();
        }
    }
}
