// uPlot, for this page's modules: the only module that imports it, so the language fix in
// ./locale always runs before uPlot's module does (ES modules run their imports in order).
import "./locale";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export default uPlot;
