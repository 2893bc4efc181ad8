package dev.tributary.bench.kstreams;

import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;

/** One benchmark query: the topology it adds to a builder, and the input topics it reads. */
interface Query {
  /** Adds the query's topology, reading {@code options}' input topics and writing {@code options.output()}. */
  void build(StreamsBuilder builder, Options options);

  /** The input topics the query reads (what its completion and {@code events_read} count). */
  List<String> inputs(Options options);

  /** The query named {@code name}: q1, q2, q5, q7, q8 or copy. */
  static Query named(String name) {
    return switch (name) {
      case "q1" -> new Q1();
      case "q2" -> new Q2();
      case "q5" -> new Q5();
      case "q7" -> new Q7();
      case "q8" -> new Q8();
      case "copy" -> new Copy();
      default -> throw new IllegalArgumentException("unknown --query " + name + "; known: q1, q2, q5, q7, q8, copy");
    };
  }
}
