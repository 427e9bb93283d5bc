// Surveying a run's plan before it starts.
#include "runtime/run/survey.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "runtime/run/companion_text.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// main.counted[0].w[3] → main.counted.w; a stream replica main.r#2 → main.r
std::string step_of(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  bool in_index = false, in_replica = false;
  for (char c : path) {
    if (c == '[') in_index = true;
    if (c == '#') in_replica = true;
    if (in_replica && c == '.') in_replica = false;
    if (!in_index && !in_replica) out += c;
    if (c == ']') in_index = false;
  }
  return out;
}

// A path as people know it: relative to where flowc runs, when it is below.
std::string shown(const std::string& path) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  fs::path rel = fs::path(path).lexically_relative(cwd);
  if (ec || rel.empty() || *rel.begin() == "..") return path;
  return rel.string();
}

// Every path a task would read that is known now, checked once each.
class PathCheck {
 public:
  explicit PathCheck(const ir::Program& program) : program_(program) {}

  void task(const Task& t) {
    for (const ir::Port& port : t.op->inputs) {
      const Value& v = t.inputs.value(port.name, Value());
      for_each_typed_path(v, port.type, [&](const std::string& path, const ir::Type* type) {
        std::error_code ec;
        if (!fs::exists(path, ec)) {
          missing(path, fmt::format("`{}` does not exist", shown(path)), t, port);
          return;
        }
        for (const CompanionFile& c : companions_of(path, type)) {
          if (c.companion->required && !fs::exists(c.path, ec)) {
            missing(c.path, missing_companion_text("", shown(path), c), t, port);
          }
        }
      });
    }
  }

  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const Missing& m : missing_) {
      std::string more = m.others ? fmt::format(" (and {} more task{})", m.others, m.others == 1 ? "" : "s") : "";
      out.push_back(
          fmt::format("{}: input `{}` of op `{}` at {} ({}){} needs it", m.what, m.port, m.op, m.task, m.where, more));
    }
    return out;
  }

 private:
  struct Missing {
    std::string what, port, op, task, where;
    size_t others = 0;
  };

  void missing(const std::string& path, std::string what, const Task& t, const ir::Port& port) {
    auto [it, first] = index_.emplace(path, missing_.size());
    if (!first) {
      ++missing_[it->second].others;
      return;
    }
    missing_.push_back({std::move(what), port.name, t.op->name, t.path, program_.where(t.call_loc)});
  }

  const ir::Program& program_;
  std::map<std::string, size_t> index_;
  std::vector<Missing> missing_;
};

bool has_streams(const ir::Op& op) {
  auto stream = [](const ir::Port& p) { return p.type->holds_stream(); };
  return std::any_of(op.inputs.begin(), op.inputs.end(), stream) ||
         std::any_of(op.outputs.begin(), op.outputs.end(), stream);
}

// Ends each task with its outputs unknown: as a whole (one value, no
// object of unknown fields: ten million of those cost more than the plan),
// except a stream task's, whose stream fields the plan adds to them.
void end_unknown(Plan& plan, const std::vector<TaskId>& tasks) {
  for (TaskId id : tasks) {
    const ir::Op& op = plan.op_of(id);
    Value outputs = Plan::unknown();
    if (has_streams(op)) {
      outputs = Value::object();
      for (const ir::Port& port : op.outputs) outputs[port.name] = Plan::unknown();
    }
    plan.forget(id);
    plan.succeeded(id, std::move(outputs));
  }
}

}  // namespace

Survey survey_run(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs, PlanOptions options) {
  options.survey = true;
  options.keep_going = true;  // report every problem, not the first
  Plan plan(program, workflow, inputs, options);
  Survey survey;
  PathCheck paths(program);
  // A task's record (its path, its inputs as an object) is made only where
  // it is needed: the first task of each call site, to name the step, and
  // the tasks of ops that read files, to check them. A fan-out of ten
  // million trivial tasks then costs what the plan itself costs.
  std::map<std::pair<const ir::Node*, const void*>, size_t> site_step;  // call site in its workflow instance → its step
  std::map<std::string, size_t> step_index;
  auto reads_files = [](const ir::Op& op) {
    return std::any_of(op.inputs.begin(), op.inputs.end(), [](const ir::Port& p) { return p.type->holds_paths(); });
  };
  bool first_round = true;
  for (std::vector<TaskId> ready = plan.take_ready(); !ready.empty(); ready = plan.take_ready()) {
    for (TaskId id : ready) {
      const ir::Op& op = plan.op_of(id);
      auto site = plan.call_site_of(id);
      auto known = site_step.find(site);
      size_t step = 0;
      if (known != site_step.end()) {
        step = known->second;
      } else {
        std::string name = step_of(plan.task(id).path);
        auto [it, fresh] = step_index.emplace(name, survey.steps.size());
        if (fresh) survey.steps.push_back({name, op.name});
        step = it->second;
        site_step.emplace(site, step);
      }
      ++(first_round ? survey.steps[step].now : survey.steps[step].later);
      ++(first_round ? survey.now : survey.later);
      if (reads_files(op)) paths.task(plan.task(id));
    }
    // Every task of this round ends with its outputs unknown; the next
    // round is what waits for them.
    end_unknown(plan, ready);
    first_round = false;
  }
  survey.complete = plan.finished();
  survey.errors = paths.errors();
  for (const Problem& p : plan.problems()) {
    if (p.kind == Problem::Waiting) survey.waiting.push_back(p);
    // An expression that fails on what is known now fails the run as surely.
    if (p.kind == Problem::Failed && !plan.ok()) {
      survey.errors.push_back(fmt::format("{} ({}): {}", p.path, program.where(p.loc), p.message));
    }
  }
  return survey;
}

void print_survey(const Survey& survey, const ir::Program& program, const ir::Workflow& workflow, std::ostream& out) {
  size_t total = survey.now + survey.later;
  auto tasks = [](size_t n) { return fmt::format("{} task{}", n, n == 1 ? "" : "s"); };
  out << fmt::format("flowc: dry run of `{}`: {} in all; {} can start now, {} wait{} for outputs of earlier steps\n",
                     workflow.name, tasks(total), tasks(survey.now), survey.later, survey.later == 1 ? "s" : "");
  if (!survey.steps.empty()) {
    size_t width = 4;
    for (const Survey::Step& s : survey.steps) width = std::max(width, s.step.size());
    out << fmt::format("  {:<{}}  {:>8}  {:>8}  {}\n", "step", width, "now", "later", "op");
    for (const Survey::Step& s : survey.steps) {
      out << fmt::format("  {:<{}}  {:>8}  {:>8}  {}\n", s.step, width, s.now, s.later, s.op);
    }
  }
  if (!survey.waiting.empty()) {
    out << "flowc: planned only once earlier steps have run (their tasks are not counted above):\n";
    for (const Problem& p : survey.waiting) {
      out << fmt::format("  {} ({}): {}\n", p.path, program.where(p.loc), p.message);
    }
  }
}

}  // namespace flowc::runtime
