// bench/baselines/caffeine/CaffeineHitRatio.java: Caffeine's hit ratio on an
// access stream, the peer of bench/hitratio's policies (it runs this program).
//
// Usage: java -cp caffeine.jar:DIR CaffeineHitRatio KEYS_FILE RUNS CAPACITY...
// KEYS_FILE holds little-endian unsigned 32-bit keys, one per access. For each
// capacity it replays them RUNS times, each through a new plain Caffeine
// cache, as a user would memoize with it: getIfPresent, and put on a miss.
// Prints "capacity mean min max" (hit ratios over the runs) per capacity, in
// the order given.
//
// Caffeine's own simulator drives its policies directly; this uses the public
// cache API instead, which is what a user of Caffeine gets. Maintenance
// (eviction) runs on the calling thread, so no entry outlives the bound
// because a background task has not run yet. Caffeine seeds its frequency
// sketch at random and admits a few warm candidates at random (against hash
// flooding), so two caches may differ: by 0.06 points at the median trace
// and capacity, by up to a point on a loop. Each cache draws afresh, so the
// mean over RUNS caches is Caffeine's expected hit ratio, and min and max
// show its spread.
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public final class CaffeineHitRatio {
  private CaffeineHitRatio() {}

  static long replay(int[] keys, long capacity) {
    Cache<Integer, Integer> cache =
        Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
    long hits = 0;
    for (int key : keys) {
      if (cache.getIfPresent(key) != null) {
        ++hits;
        continue;
      }
      cache.put(key, key);
      // The direct executor drains after each write; cleanUp only if some
      // maintenance was left pending, so the cache never runs over its bound.
      if (cache.estimatedSize() > capacity) cache.cleanUp();
    }
    cache.cleanUp();
    if (cache.estimatedSize() > capacity) {
      throw new IllegalStateException(
          "caffeine holds " + cache.estimatedSize() + " entries at capacity " + capacity);
    }
    return hits;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || Integer.parseInt(args[1]) < 1) {
      System.err.println("usage: CaffeineHitRatio KEYS_FILE RUNS CAPACITY... (RUNS at least 1)");
      System.exit(2);
    }
    int[] keys = readKeys(args[0]);
    int runs = Integer.parseInt(args[1]);
    long[] capacities = new long[args.length - 2];
    for (int i = 2; i < args.length; ++i) capacities[i - 2] = Long.parseLong(args[i]);

    // Each cache is independent of the others: replay them in parallel.
    ExecutorService pool = Executors.newFixedThreadPool(
        Math.min(capacities.length * runs, Runtime.getRuntime().availableProcessors()));
    try {
      List<Future<Long>> hits = new ArrayList<>();
      for (long capacity : capacities) {
        for (int run = 0; run < runs; ++run) hits.add(pool.submit(() -> replay(keys, capacity)));
      }
      for (int i = 0; i < capacities.length; ++i) {
        double sum = 0;
        double min = 1;
        double max = 0;
        for (int run = 0; run < runs; ++run) {
          double ratio = (double) hits.get(i * runs + run).get() / keys.length;
          sum += ratio;
          min = Math.min(min, ratio);
          max = Math.max(max, ratio);
        }
        System.out.println(capacities[i] + " " + sum / runs + " " + min + " " + max);
      }
    } finally {
      pool.shutdown();
    }
  }

  static int[] readKeys(String path) throws IOException {
    byte[] bytes = Files.readAllBytes(Paths.get(path));
    if (bytes.length == 0 || bytes.length % 4 != 0) {
      throw new IOException(path + ": not a sequence of 32-bit keys (" + bytes.length + " bytes)");
    }
    IntBuffer ints = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    int[] keys = new int[ints.remaining()];
    ints.get(keys);
    return keys;
  }
}
