package dev.tributary.bench.kstreams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Tells when an application has processed everything: its consumer group's committed offsets have
 * reached the end offsets of every partition of its input topics and its repartition topics.
 * Committed offsets are read before end offsets, so a repartition topic's end read afterwards
 * already holds everything the committed inputs produced.
 */
final class Completion {
  private final Admin admin;
  private final String groupId;
  private final List<TopicPartition> inputs;
  private final List<TopicPartition> partitions;

  private Completion(Admin admin, String groupId, List<TopicPartition> inputs, List<TopicPartition> partitions) {
    this.admin = admin;
    this.groupId = groupId;
    this.inputs = inputs;
    this.partitions = partitions;
  }

  /** Watches {@code groupId} over every partition of {@code inputTopics} and {@code repartitionTopics} (which must exist). */
  static Completion of(Admin admin, String groupId, List<String> inputTopics, List<String> repartitionTopics) throws ExecutionException, InterruptedException {
    List<TopicPartition> inputs = partitionsOf(admin, inputTopics);
    List<TopicPartition> partitions = new ArrayList<>(inputs);
    partitions.addAll(partitionsOf(admin, repartitionTopics));
    return new Completion(admin, groupId, inputs, partitions);
  }

  /** The number of records in the input topics (end minus start offsets): what a complete run has read. */
  long inputRecords() throws ExecutionException, InterruptedException {
    Map<TopicPartition, Long> ends = offsets(inputs, OffsetSpec.latest());
    Map<TopicPartition, Long> starts = offsets(inputs, OffsetSpec.earliest());
    return inputs.stream().mapToLong(partition -> ends.get(partition) - starts.get(partition)).sum();
  }

  /** True once every watched partition's committed offset is at its end offset. */
  boolean done() throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata offset = committed.get(partition);
      long end = ends.get(partition);
      if (end > 0 && (offset == null || offset.offset() < end)) return false;
    }
    return true;
  }

  /**
   * Creates {@code topic} if it is missing, with as many partitions as the input topics have (at
   * most), so that the producer never waits on a topic the broker will not create by itself.
   */
  static void createMissing(Admin admin, String topic, List<String> inputTopics) throws ExecutionException, InterruptedException {
    if (admin.listTopics().names().get().contains(topic)) return;
    int partitions = admin.describeTopics(inputTopics).allTopicNames().get().values().stream().mapToInt(description -> description.partitions().size()).max().orElse(1);
    try {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> of, OffsetSpec spec) throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetSpec> request = of.stream().collect(Collectors.toMap(partition -> partition, partition -> spec));
    Map<TopicPartition, Long> offsets = new HashMap<>();
    admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
        .forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  private static List<TopicPartition> partitionsOf(Admin admin, List<String> topics) throws ExecutionException, InterruptedException {
    List<TopicPartition> partitions = new ArrayList<>();
    if (topics.isEmpty()) return partitions;
    for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
      topic.partitions().forEach(info -> partitions.add(new TopicPartition(topic.name(), info.partition())));
    }
    return partitions;
  }
}
