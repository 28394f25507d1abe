package io.sluice.graph.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The committed seed corpus of a Jazzer {@code @FuzzTest}: the few valid inputs its class builds with the test
 * helpers, kept as files where Jazzer looks for a regression corpus
 * ({@code src/test/resources/<package>/<Class>Inputs/<method>/}). A plain {@code mvn test} runs them; with
 * {@code JAZZER_FUZZ=1} the fuzzer starts from them. {@code -Dsluice.fuzz.writeCorpus=true} rewrites the files
 * from the helpers (after a change to what the seeds are); otherwise nothing is written.
 */
public final class FuzzCorpus {
    private FuzzCorpus() {
    }

    /** Writes {@code seeds} as {@code seed-N} files of {@code target}'s corpus when asked to; returns the seeds. */
    public static List<byte[]> maybeWrite(Class<?> target, String method, List<byte[]> seeds) {
        if (!Boolean.getBoolean("sluice.fuzz.writeCorpus")) {
            return seeds;
        }
        Path dir = Path.of("src/test/resources", target.getPackageName().replace('.', '/'),
                target.getSimpleName() + "Inputs", method);
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < seeds.size(); i++) {
                Files.write(dir.resolve(String.format("seed-%02d", i)), seeds.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return seeds;
    }
}
