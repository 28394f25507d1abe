package io.sluice.bench.ip4;

import io.sluice.ethernet.testkit.EthernetTestkit;
import io.sluice.graph.api.Node;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.ip4.testkit.Ip4Testkit;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.FreeingDevice;
import io.sluice.vnet.testkit.VnetTestkit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.HashMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The FIB with 1M random prefixes whose lengths follow a BGP table's shape (about 60% /24, most of the rest
 * /16../23, a few /8../15 and /25../32): {@link #lookup} is ns per lookup of random addresses (1e9 / ns =
 * lookups per second on one core), {@link #build} the time to load the 1M routes in one update, and
 * {@link #addOneRoute} one route added and removed again on the full table (a single-route update: copies the
 * root and the touched plies).
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
@State(Scope.Thread)
public class Ip4FibBenchmark {
    static final int ROUTES = 1_000_000;
    static final int PROBES = 1 << 16;

    record Table(int[] addresses, int[] lengths) {
    }

    /** {@code count} prefixes: 60% /24, 30% /16../23, 5% /8../15, 5% /25../32. */
    static Table internetLike(int count, SplittableRandom random) {
        int[] addresses = new int[count];
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(100);
            int length = pick < 60 ? 24 : pick < 90 ? 16 + random.nextInt(8) : pick < 95 ? 8 + random.nextInt(8)
                    : 25 + random.nextInt(8);
            lengths[i] = length;
            addresses[i] = random.nextInt() & (-1 << (32 - length));
        }
        return new Table(addresses, lengths);
    }

    Ip4Fib fib;
    Ip4Testkit.Lookup forwarding;
    int gbe;
    int[] probes;
    int[] nextHops;
    int[] sws;
    Table table;
    int extra;

    @Setup
    public void setUp() {
        InterfaceTable interfaces = VnetTestkit.interfaceTable(Ip4PathBenchmark.collecting(new HashMap<String, Node>()));
        gbe = interfaces.register(new FreeingDevice("GigabitEthernet0/8/0", 0x080027449fd8L));
        interfaces.addIp4Address(gbe, 0xc0a81001, 24);
        Ip4Testkit.Fib testFib = Ip4Testkit.fib(interfaces, EthernetTestkit.neighbourTable());
        fib = testFib.api();
        SplittableRandom random = new SplittableRandom(3);
        table = internetLike(ROUTES, random);
        nextHops = new int[ROUTES];
        sws = new int[ROUTES];
        for (int i = 0; i < ROUTES; i++) {
            nextHops[i] = 0xc0a81002 + (i & 63);
            sws[i] = gbe;
        }
        fib.addRoutes(0, table.addresses(), table.lengths(), nextHops, sws, ROUTES);
        forwarding = testFib.lookup();
        probes = new int[PROBES];
        for (int i = 0; i < PROBES; i++) {
            probes[i] = random.nextInt();
        }
        System.err.printf("FIB: %d routes, %d prefixes held, %.1f MB (trie and route store)%n", ROUTES,
                fib.routeCount(0), fib.memoryBytes(0) / 1e6);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @OperationsPerInvocation(PROBES)
    public int lookup() {
        Ip4Testkit.Lookup f = forwarding;
        int sum = 0;
        for (int address : probes) {
            sum += f.lookup(0, address);
        }
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public Ip4Fib build() {
        InterfaceTable interfaces = VnetTestkit.interfaceTable(Ip4PathBenchmark.collecting(new HashMap<String, Node>()));
        int sw = interfaces.register(new FreeingDevice("GigabitEthernet0/8/0", 0x080027449fd8L));
        interfaces.addIp4Address(sw, 0xc0a81001, 24);
        Ip4Fib fresh = Ip4Testkit.fib(interfaces, EthernetTestkit.neighbourTable()).api();
        int[] swsFor = Arrays.copyOf(sws, ROUTES);
        Arrays.fill(swsFor, sw);
        fresh.addRoutes(0, table.addresses(), table.lengths(), nextHops, swsFor, ROUTES);
        return fresh;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public int addOneRoute() {
        int address = 0x64400000 + ((extra++ & 0xffff) << 8);
        fib.addRoute(0, address, 24, 0xc0a81064, gbe);
        fib.removeRoute(0, address, 24);
        return address;
    }
}
