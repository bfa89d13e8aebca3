/*
 * A plain C loop of student-proposing deferred acceptance, the yardstick that
 * `sunshine bench engine --baseline-c` measures the NumPy engine against.
 *
 * Reads the interchange files (schools.csv, students.csv, applications.csv with
 * rows grouped by student and ranked), proposes one application at a time, and
 * keeps each school's tentatively held applicants in a max-heap on (priority,
 * tie-break), so a school rejects its worst held child in O(log capacity).
 * Ties on equal keys (twins) are not kept together: the benchmark's cities have
 * none. Prints the solve time in seconds, then one school index (or -1) per
 * student, in the order of students.csv.
 *
 * usage: deferred_acceptance SCHOOLS STUDENTS APPLICATIONS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { char *key; int64_t value; } Slot;
typedef struct { Slot *slots; size_t mask; } Table;

static uint64_t hash(const char *text) {
    uint64_t h = 1469598103934665603ULL;               /* FNV-1a */
    for (; *text; text++) h = (h ^ (unsigned char)*text) * 1099511628211ULL;
    return h;
}

static void table_init(Table *t, size_t expected) {
    size_t size = 16;
    while (size < expected * 2) size <<= 1;
    t->slots = calloc(size, sizeof(Slot));
    t->mask = size - 1;
}

static void table_put(Table *t, const char *key, int64_t value) {
    size_t i = hash(key) & t->mask;
    while (t->slots[i].key) i = (i + 1) & t->mask;
    t->slots[i].key = strdup(key);
    t->slots[i].value = value;
}

static int64_t table_get(const Table *t, const char *key) {
    size_t i = hash(key) & t->mask;
    while (t->slots[i].key) {
        if (strcmp(t->slots[i].key, key) == 0) return t->slots[i].value;
        i = (i + 1) & t->mask;
    }
    fprintf(stderr, "unknown id %s\n", key);
    exit(2);
}

static size_t count_rows(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(2); }
    size_t rows = 0;
    int c;
    while ((c = fgetc(f)) != EOF) rows += c == '\n';
    fclose(f);
    return rows - 1; /* header */
}

static FILE *open_skipping_header(const char *path) {
    FILE *f = fopen(path, "r");
    char line[256];
    if (!f || !fgets(line, sizeof line, f)) { perror(path); exit(2); }
    return f;
}

typedef struct { int64_t *key; int32_t *who; int32_t size; } Heap;  /* max-heap */

static void sift_up(Heap *h, int32_t i) {
    while (i > 0) {
        int32_t parent = (i - 1) / 2;
        if (h->key[parent] >= h->key[i]) break;
        int64_t k = h->key[i]; h->key[i] = h->key[parent]; h->key[parent] = k;
        int32_t w = h->who[i]; h->who[i] = h->who[parent]; h->who[parent] = w;
        i = parent;
    }
}

static void sift_down(Heap *h, int32_t i) {
    for (;;) {
        int32_t largest = i, l = 2 * i + 1, r = l + 1;
        if (l < h->size && h->key[l] > h->key[largest]) largest = l;
        if (r < h->size && h->key[r] > h->key[largest]) largest = r;
        if (largest == i) return;
        int64_t k = h->key[i]; h->key[i] = h->key[largest]; h->key[largest] = k;
        int32_t w = h->who[i]; h->who[i] = h->who[largest]; h->who[largest] = w;
        i = largest;
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s SCHOOLS STUDENTS APPLICATIONS\n", argv[0]); return 2; }
    char a[128], b[128];
    long long x, y;

    size_t n_schools = count_rows(argv[1]);
    Table schools; table_init(&schools, n_schools);
    int32_t *capacity = malloc(n_schools * sizeof *capacity);
    FILE *f = open_skipping_header(argv[1]);
    for (size_t s = 0; s < n_schools; s++) {
        if (fscanf(f, " %127[^,],%lld", a, &x) != 2) return 2;
        table_put(&schools, a, (int64_t)s);
        capacity[s] = (int32_t)x;
    }
    fclose(f);

    size_t n_students = count_rows(argv[2]);
    Table students; table_init(&students, n_students);
    int64_t *tiebreak = malloc(n_students * sizeof *tiebreak);
    f = open_skipping_header(argv[2]);
    for (size_t i = 0; i < n_students; i++) {
        if (fscanf(f, " %127[^,],%lld", a, &x) != 2) return 2;
        table_put(&students, a, (int64_t)i);
        tiebreak[i] = x;
    }
    fclose(f);

    size_t n_apps = count_rows(argv[3]);
    int32_t *app_school = malloc(n_apps * sizeof *app_school);
    int64_t *app_key = malloc(n_apps * sizeof *app_key);
    int64_t *first = calloc(n_students + 1, sizeof *first);
    f = open_skipping_header(argv[3]);
    for (size_t k = 0; k < n_apps; k++) {
        if (fscanf(f, " %127[^,],%lld,%127[^,],%lld", a, &x, b, &y) != 4) return 2;
        int64_t who = table_get(&students, a);
        app_school[k] = (int32_t)table_get(&schools, b);
        /* Lower priority, then lower tie-break, wins: one comparable key. */
        app_key[k] = y * ((int64_t)1 << 40) + tiebreak[who];
        first[who + 1]++;
    }
    fclose(f);
    for (size_t i = 0; i < n_students; i++) first[i + 1] += first[i];

    struct timespec start, stop;
    clock_gettime(CLOCK_MONOTONIC, &start);

    Heap *held = calloc(n_schools, sizeof *held);
    for (size_t s = 0; s < n_schools; s++) {
        held[s].key = malloc((capacity[s] + 1) * sizeof(int64_t));
        held[s].who = malloc((capacity[s] + 1) * sizeof(int32_t));
    }
    int64_t *next = malloc(n_students * sizeof *next);
    int32_t *free_stack = malloc(n_students * sizeof *free_stack);
    int32_t *placed_at = malloc(n_students * sizeof *placed_at);
    size_t free_count = 0;
    for (size_t i = 0; i < n_students; i++) {
        next[i] = first[i];
        placed_at[i] = -1;
        free_stack[free_count++] = (int32_t)(n_students - 1 - i);
    }
    while (free_count) {
        int32_t student = free_stack[--free_count];
        if (next[student] == first[student + 1]) continue; /* list exhausted: unplaced */
        int64_t app = next[student]++;
        int32_t school = app_school[app];
        Heap *h = &held[school];
        if (h->size < capacity[school]) {
            h->key[h->size] = app_key[app]; h->who[h->size] = student;
            sift_up(h, h->size++);
            placed_at[student] = school;
        } else if (h->size > 0 && app_key[app] < h->key[0]) {
            int32_t rejected = h->who[0];
            placed_at[rejected] = -1;
            free_stack[free_count++] = rejected;
            h->key[0] = app_key[app]; h->who[0] = student;
            sift_down(h, 0);
            placed_at[student] = school;
        } else {
            free_stack[free_count++] = student;
        }
    }

    clock_gettime(CLOCK_MONOTONIC, &stop);
    printf("%.6f\n", (double)(stop.tv_sec - start.tv_sec) + (stop.tv_nsec - start.tv_nsec) / 1e9);
    for (size_t i = 0; i < n_students; i++) printf("%d\n", placed_at[i]);
    return 0;
}
