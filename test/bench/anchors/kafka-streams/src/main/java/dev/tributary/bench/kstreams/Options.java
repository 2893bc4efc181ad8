package dev.tributary.bench.kstreams;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of the anchor:
 * {@code --bootstrap HOST:PORT --query q1|q2|q5|q7|q8|copy --processing at_least_once|exactly_once
 * --app-id ID --output TOPIC --state-dir DIR [--persons T --auctions T --bids T] [--max-task-idle-ms MS]}
 * ({@code max.task.idle.ms}, default 5000: how long a join waits for an input that is empty).
 */
record Options(
    String bootstrap,
    String query,
    String processing,
    String appId,
    String output,
    String stateDir,
    String persons,
    String auctions,
    String bids,
    long maxTaskIdleMs) {

  private static final Set<String> PROCESSING = Set.of("at_least_once", "exactly_once");

  /** Parses {@code args} ({@code --name value} pairs); an unknown, missing or repeated flag is an error. */
  static Options parse(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int at = 0; at < args.length; at += 2) {
      String name = args[at];
      if (!name.startsWith("--") || at + 1 >= args.length) throw new IllegalArgumentException("expected --name value pairs, got " + name);
      if (flags.put(name.substring(2), args[at + 1]) != null) throw new IllegalArgumentException("flag " + name + " given twice");
    }
    Options options = new Options(
        required(flags, "bootstrap"),
        required(flags, "query"),
        required(flags, "processing"),
        required(flags, "app-id"),
        required(flags, "output"),
        required(flags, "state-dir"),
        optional(flags, "persons", "nexmark-persons"),
        optional(flags, "auctions", "nexmark-auctions"),
        optional(flags, "bids", "nexmark-bids"),
        Long.parseLong(optional(flags, "max-task-idle-ms", "5000")));
    if (!flags.isEmpty()) throw new IllegalArgumentException("unknown flags: " + flags.keySet());
    if (!PROCESSING.contains(options.processing)) throw new IllegalArgumentException("--processing must be at_least_once or exactly_once, got " + options.processing);
    return options;
  }

  private static String required(Map<String, String> flags, String name) {
    String value = flags.remove(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException("missing --" + name);
    return value;
  }

  private static String optional(Map<String, String> flags, String name, String fallback) {
    String value = flags.remove(name);
    return value == null ? fallback : value;
  }
}
