package io.sluice.driver.afpacket.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the commands a namespace lab needs (ip, python3 inside a namespace) and returns their output. */
final class Shell {

    private Shell() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs the command; fails the test with its output when it exits non-zero. */
    static String run(String... command) {
        Result result = execute(command);
        if (result.exit != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exit + ": " + result.output);
        }
        return result.output;
    }

    /** Runs the command for its effect only (clean-up of what may not exist). */
    static void runQuietly(String... command) {
        execute(command);
    }

    private record Result(int exit, String output) {
    }

    private static Result execute(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 20 s");
            }
            return new Result(process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", command), e);
        }
    }
}
